#pragma once
// Plain types of the engine's public API (no torch types).
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace protolabel::inference {

enum class Device { Auto, Cpu, Cuda };
const char* deviceName(Device device);
Device parseDevice(const std::string& name);  // "auto", "cpu", "cuda"; throws EngineError

// Axis normal to the slices: X sagittal, Y coronal, Z axial (voxel axes, x fastest in memory).
enum class SliceAxis { X = 0, Y = 1, Z = 2 };

// A non-owning view of voxels, x fastest, then y, then z: float, or whole numbers in int16 (a CT in
// HU needs no more, and half the memory of float). Set one of the two pointers.
struct VolumeView {
  const float* voxels = nullptr;
  std::array<int64_t, 3> size{0, 0, 0};
  std::array<double, 3> spacing{1, 1, 1};
  const int16_t* wholeVoxels = nullptr;
  int64_t voxelCount() const { return size[0] * size[1] * size[2]; }
};

class EngineError : public std::runtime_error {
 public:
  enum class Code { InvalidInput, EmptySupport, SupportOutOfRange, NonFiniteVoxels, Cancelled, ModelFile, Device };
  EngineError(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const noexcept { return code_; }

 private:
  Code code_;
};

}  // namespace protolabel::inference
