#pragma once
// A 3D scalar image: a typed voxel buffer (x fastest, then y, then z) plus its grid geometry.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protolabel/core/Geometry.h"

namespace protolabel::core {

enum class PixelType { UInt8, Int16, UInt16, Int32, Float32 };

std::size_t pixelTypeSize(PixelType type);
const char* pixelTypeName(PixelType type);

template <class T> struct PixelTypeOf;
template <> struct PixelTypeOf<uint8_t> { static constexpr PixelType value = PixelType::UInt8; };
template <> struct PixelTypeOf<int16_t> { static constexpr PixelType value = PixelType::Int16; };
template <> struct PixelTypeOf<uint16_t> { static constexpr PixelType value = PixelType::UInt16; };
template <> struct PixelTypeOf<int32_t> { static constexpr PixelType value = PixelType::Int32; };
template <> struct PixelTypeOf<float> { static constexpr PixelType value = PixelType::Float32; };

// Calls f(T{}) with T the C++ type of `type`; used to write one templated body for all pixel types.
template <class F>
decltype(auto) dispatchPixelType(PixelType type, F&& f) {
  switch (type) {
    case PixelType::UInt8: return f(uint8_t{});
    case PixelType::Int16: return f(int16_t{});
    case PixelType::UInt16: return f(uint16_t{});
    case PixelType::Int32: return f(int32_t{});
    case PixelType::Float32: return f(float{});
  }
  throw std::logic_error("unknown pixel type");
}

class Volume {
 public:
  Volume() = default;
  // Zero-filled volume.
  Volume(const ImageGeometry& geometry, PixelType type);
  // Adopts a buffer owned elsewhere (e.g. by an ITK image): `owner` keeps `data` alive.
  Volume(const ImageGeometry& geometry, PixelType type, std::shared_ptr<void> owner, void* data);

  // Copies are deep: two volumes never share voxels.
  Volume(const Volume& other);
  Volume& operator=(const Volume& other);
  Volume(Volume&&) noexcept = default;
  Volume& operator=(Volume&&) noexcept = default;

  const ImageGeometry& geometry() const { return geometry_; }
  // Changes spacing, origin and direction; the size is fixed by the buffer.
  void setPlacement(const Vec3& spacing, const Vec3& origin, const Matrix3& direction);
  const Size3& size() const { return geometry_.size; }
  PixelType pixelType() const { return type_; }
  int64_t voxelCount() const { return geometry_.voxelCount(); }
  std::size_t byteCount() const { return static_cast<std::size_t>(voxelCount()) * pixelTypeSize(type_); }
  bool isNull() const { return data_ == nullptr; }

  void* rawData() { return data_; }
  const void* rawData() const { return data_; }

  template <class T> T* data() {
    checkType<T>();
    return static_cast<T*>(data_);
  }
  template <class T> const T* data() const {
    checkType<T>();
    return static_cast<const T*>(data_);
  }

  int64_t linearIndex(int64_t i, int64_t j, int64_t k) const {
    return i + geometry_.size[0] * (j + geometry_.size[1] * k);
  }
  bool contains(int64_t i, int64_t j, int64_t k) const {
    return i >= 0 && j >= 0 && k >= 0 && i < geometry_.size[0] && j < geometry_.size[1] && k < geometry_.size[2];
  }
  double valueAt(int64_t i, int64_t j, int64_t k) const;
  double valueAtLinear(int64_t index) const;

  // Minimum and maximum over finite voxels ({0,0} for an empty volume).
  std::pair<double, double> intensityRange() const;
  int64_t countNonFinite() const;
  // Replaces NaN and infinite voxels by `value`; returns how many were replaced.
  int64_t replaceNonFinite(float value);

  // The voxels converted to float, in buffer order (the engine's input).
  std::vector<float> toFloat() const;
  Volume convertedTo(PixelType type) const;

 private:
  template <class T> void checkType() const {
    if (PixelTypeOf<T>::value != type_)
      throw std::logic_error(std::string("volume holds ") + pixelTypeName(type_) + " voxels");
  }

  ImageGeometry geometry_;
  PixelType type_ = PixelType::Float32;
  std::shared_ptr<void> owner_;
  void* data_ = nullptr;
};

}  // namespace protolabel::core
