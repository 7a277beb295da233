#include "protolabel/core/io/FinetuneData.h"

namespace protolabel::core {

bool hasAnyLabel(const Volume& labels) {
  if (labels.isNull()) return false;
  return dispatchPixelType(labels.pixelType(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = labels.data<T>();
    for (int64_t i = 0, n = labels.voxelCount(); i < n; ++i)
      if (v[i] != T(0)) return true;
    return false;
  });
}

}  // namespace protolabel::core
