#include "protolabel/core/Volume.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace protolabel::core {

std::size_t pixelTypeSize(PixelType type) {
  return dispatchPixelType(type, [](auto v) { return sizeof(v); });
}

const char* pixelTypeName(PixelType type) {
  switch (type) {
    case PixelType::UInt8: return "uint8";
    case PixelType::Int16: return "int16";
    case PixelType::UInt16: return "uint16";
    case PixelType::Int32: return "int32";
    case PixelType::Float32: return "float32";
  }
  return "unknown";
}

namespace {

std::shared_ptr<void> allocateZeroed(std::size_t bytes) {
  // operator new[] alignment suits every pixel type; value-initialisation zeroes it.
  return std::shared_ptr<void>(new std::byte[std::max<std::size_t>(bytes, 1)](), [](void* p) {
    delete[] static_cast<std::byte*>(p);
  });
}

}  // namespace

Volume::Volume(const ImageGeometry& geometry, PixelType type) : geometry_(geometry), type_(type) {
  if (geometry.size[0] < 0 || geometry.size[1] < 0 || geometry.size[2] < 0)
    throw std::invalid_argument("negative volume size");
  owner_ = allocateZeroed(byteCount());
  data_ = owner_.get();
}

Volume::Volume(const ImageGeometry& geometry, PixelType type, std::shared_ptr<void> owner, void* data)
    : geometry_(geometry), type_(type), owner_(std::move(owner)), data_(data) {}

Volume::Volume(const Volume& other) : geometry_(other.geometry_), type_(other.type_) {
  if (other.data_) {
    owner_ = allocateZeroed(byteCount());
    data_ = owner_.get();
    std::memcpy(data_, other.data_, byteCount());
  }
}

Volume& Volume::operator=(const Volume& other) {
  if (this != &other) *this = Volume(other);
  return *this;
}

void Volume::setPlacement(const Vec3& spacing, const Vec3& origin, const Matrix3& direction) {
  geometry_.spacing = spacing;
  geometry_.origin = origin;
  geometry_.direction = direction;
}

double Volume::valueAtLinear(int64_t index) const {
  return dispatchPixelType(type_, [&](auto v) {
    using T = decltype(v);
    return static_cast<double>(static_cast<const T*>(data_)[index]);
  });
}

double Volume::valueAt(int64_t i, int64_t j, int64_t k) const { return valueAtLinear(linearIndex(i, j, k)); }

std::pair<double, double> Volume::intensityRange() const {
  return dispatchPixelType(type_, [&](auto v) -> std::pair<double, double> {
    using T = decltype(v);
    const T* p = static_cast<const T*>(data_);
    const int64_t n = voxelCount();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int64_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(p[i]);
      if (!std::isfinite(x)) continue;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (lo > hi) return {0.0, 0.0};
    return {lo, hi};
  });
}

int64_t Volume::countNonFinite() const {
  if (type_ != PixelType::Float32) return 0;
  const float* p = static_cast<const float*>(data_);
  return std::count_if(p, p + voxelCount(), [](float x) { return !std::isfinite(x); });
}

int64_t Volume::replaceNonFinite(float value) {
  if (type_ != PixelType::Float32) return 0;
  float* p = static_cast<float*>(data_);
  int64_t replaced = 0;
  for (int64_t i = 0, n = voxelCount(); i < n; ++i)
    if (!std::isfinite(p[i])) {
      p[i] = value;
      ++replaced;
    }
  return replaced;
}

std::vector<float> Volume::toFloat() const {
  std::vector<float> out(static_cast<std::size_t>(voxelCount()));
  dispatchPixelType(type_, [&](auto v) {
    using T = decltype(v);
    const T* p = static_cast<const T*>(data_);
    std::transform(p, p + out.size(), out.begin(), [](T x) { return static_cast<float>(x); });
  });
  return out;
}

Volume Volume::convertedTo(PixelType type) const {
  Volume out(geometry_, type);
  dispatchPixelType(type_, [&](auto from) {
    using S = decltype(from);
    dispatchPixelType(type, [&](auto to) {
      using D = decltype(to);
      const S* src = static_cast<const S*>(data_);
      D* dst = static_cast<D*>(out.data_);
      for (int64_t i = 0, n = voxelCount(); i < n; ++i) {
        double x = static_cast<double>(src[i]);
        if constexpr (!std::is_floating_point_v<D>) {
          x = std::clamp(std::round(std::isfinite(x) ? x : 0.0), double(std::numeric_limits<D>::lowest()),
                         double(std::numeric_limits<D>::max()));
        }
        dst[i] = static_cast<D>(x);
      }
    });
  });
  return out;
}

}  // namespace protolabel::core
