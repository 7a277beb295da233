#include "protolabel/core/TrainingOrientation.h"

#include <cmath>

namespace protolabel::core {

AxisFlips flipsToTrainingOrientation(const ImageGeometry& grid) {
  // Voxel axis a must point mostly along physical axis a; LAS in LPS terms is (+x, -y, +z).
  const double wanted[3] = {1, -1, 1};
  bool flip[3];
  for (int a = 0; a < 3; ++a) {
    double best = 0;
    int along = -1;
    for (int p = 0; p < 3; ++p)
      if (std::abs(grid.direction[p * 3 + a]) > best) best = std::abs(grid.direction[p * 3 + a]), along = p;
    if (along != a) return {};  // permuted axes: left as stored
    flip[a] = grid.direction[a * 3 + a] * wanted[a] < 0;
  }
  return {flip[0], flip[1], flip[2]};
}

}  // namespace protolabel::core
