// Label editing: brush discs and strokes on each slice axis (voxel and millimetre radii on an
// anisotropic grid), locked labels, erasing, bucket fill on real organ slices, and the undo stack's
// byte-exact undo/redo, compressed memory and memory limit. Expected values are computed here by
// brute force over every voxel, independently of the editing code.
#include <QtTest>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <set>
#include <vector>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/editing/LabelUndoStack.h"
#include "protolabel/core/editing/SliceBrush.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::sameVoxels;

namespace {

using Index3 = std::array<int64_t, 3>;

const Axis kAxes[] = {Axis::X, Axis::Y, Axis::Z};

LabelMap sampleLabels() {
  return readLabelMap(std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz");
}

LabelMap syntheticMap(const Size3& size, const Vec3& spacing, PixelType type = PixelType::UInt8) {
  ImageGeometry grid;
  grid.size = size;
  grid.spacing = spacing;
  return LabelMap(grid, type);
}

// The slice conventions written out by hand: normal to Z -> (x, y), to Y -> (x, z), to X -> (y, z).
Index3 voxelOf(Axis axis, int64_t slice, int64_t u, int64_t v) {
  switch (axis) {
    case Axis::X: return {slice, u, v};
    case Axis::Y: return {u, slice, v};
    case Axis::Z: return {u, v, slice};
  }
  return {};
}

// (u, v, slice) of a voxel.
std::array<int64_t, 3> planeOf(Axis axis, const Index3& p) {
  switch (axis) {
    case Axis::X: return {p[1], p[2], p[0]};
    case Axis::Y: return {p[0], p[2], p[1]};
    case Axis::Z: return {p[0], p[1], p[2]};
  }
  return {};
}

std::array<int64_t, 2> planeSize(const Size3& s, Axis axis) {
  switch (axis) {
    case Axis::X: return {s[1], s[2]};
    case Axis::Y: return {s[0], s[2]};
    case Axis::Z: return {s[0], s[1]};
  }
  return {};
}

std::array<double, 2> planeSpacing(const Vec3& sp, Axis axis) {
  switch (axis) {
    case Axis::X: return {sp[1], sp[2]};
    case Axis::Y: return {sp[0], sp[2]};
    case Axis::Z: return {sp[0], sp[1]};
  }
  return {};
}

std::array<double, 2> semiAxes(const LabelMap& labels, Axis axis, const BrushShape& brush) {
  if (!brush.radiusInMillimetres) return {brush.radius, brush.radius};
  const auto sp = planeSpacing(labels.geometry().spacing, axis);
  return {brush.radius / sp[0], brush.radius / sp[1]};
}

// The documented disc rule, checked voxel by voxel.
bool inDisc(int64_t i, int64_t j, double u, double v, double ru, double rv) {
  if (i == std::lround(u) && j == std::lround(v)) return true;
  if (ru <= 0 || rv <= 0) return false;
  const double du = static_cast<double>(i) - u, dv = static_cast<double>(j) - v;
  return du * du / (ru * ru) + dv * dv / (rv * rv) <= 1.0;
}

void forEachVoxel(const Size3& s, const std::function<void(const Index3&)>& f) {
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i) f({i, j, k});
}

struct BoxBuilder {
  IndexBox box;
  void add(const Index3& p) {
    if (box.empty()) {
      box.lo = box.hi = p;
      return;
    }
    for (int a = 0; a < 3; ++a) {
      box.lo[a] = std::min(box.lo[a], p[a]);
      box.hi[a] = std::max(box.hi[a], p[a]);
    }
  }
};

bool sameBox(const IndexBox& a, const IndexBox& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty();
  return a.lo == b.lo && a.hi == b.hi;
}

bool boxContains(const IndexBox& outer, const IndexBox& inner) {
  if (inner.empty()) return true;
  if (outer.empty()) return false;
  for (int a = 0; a < 3; ++a)
    if (inner.lo[a] < outer.lo[a] || inner.hi[a] > outer.hi[a]) return false;
  return true;
}

uint16_t labelAt(const LabelMap& m, const Index3& p) { return m.at(p[0], p[1], p[2]); }

// The voxels where two maps differ, as a box.
IndexBox differenceBox(const LabelMap& a, const LabelMap& b) {
  BoxBuilder diff;
  forEachVoxel(a.geometry().size, [&](const Index3& p) {
    if (labelAt(a, p) != labelAt(b, p)) diff.add(p);
  });
  return diff.box;
}

// The 4-connected component of the seed in one slice, by plain BFS over voxel indices.
std::vector<Index3> componentInSlice(const LabelMap& m, Axis axis, int64_t slice, int64_t u, int64_t v) {
  const auto wh = planeSize(m.geometry().size, axis);
  const uint16_t target = labelAt(m, voxelOf(axis, slice, u, v));
  std::vector<char> seen(static_cast<std::size_t>(wh[0] * wh[1]), 0);
  std::deque<std::array<int64_t, 2>> queue{{u, v}};
  seen[static_cast<std::size_t>(v * wh[0] + u)] = 1;
  std::vector<Index3> out;
  while (!queue.empty()) {
    const auto [cu, cv] = queue.front();
    queue.pop_front();
    out.push_back(voxelOf(axis, slice, cu, cv));
    const int64_t nu[4] = {cu - 1, cu + 1, cu, cu}, nv[4] = {cv, cv, cv - 1, cv + 1};
    for (int n = 0; n < 4; ++n) {
      if (nu[n] < 0 || nv[n] < 0 || nu[n] >= wh[0] || nv[n] >= wh[1]) continue;
      char& s = seen[static_cast<std::size_t>(nv[n] * wh[0] + nu[n])];
      if (s || labelAt(m, voxelOf(axis, slice, nu[n], nv[n])) != target) continue;
      s = 1;
      queue.push_back({nu[n], nv[n]});
    }
  }
  return out;
}

// The slice (along `axis`) holding most voxels of `value`, and one such voxel nearest its centroid.
struct OrganSeed {
  int64_t slice = -1;
  int64_t u = 0, v = 0;
  int64_t count = 0;
};

OrganSeed organSeed(const LabelMap& m, Axis axis, uint16_t value) {
  const Size3& s = m.geometry().size;
  const int64_t n = s[static_cast<int>(axis)];
  std::vector<int64_t> counts(static_cast<std::size_t>(n), 0);
  std::vector<double> su(n, 0), sv(n, 0);
  forEachVoxel(s, [&](const Index3& p) {
    if (labelAt(m, p) != value) return;
    const auto q = planeOf(axis, p);
    ++counts[q[2]];
    su[q[2]] += q[0];
    sv[q[2]] += q[1];
  });
  OrganSeed seed;
  for (int64_t k = 0; k < n; ++k)
    if (counts[k] > seed.count) {
      seed.count = counts[k];
      seed.slice = k;
    }
  if (seed.slice < 0) return seed;
  const double cu = su[seed.slice] / seed.count, cv = sv[seed.slice] / seed.count;
  double best = 1e300;
  const auto wh = planeSize(s, axis);
  for (int64_t v = 0; v < wh[1]; ++v)
    for (int64_t u = 0; u < wh[0]; ++u)
      if (labelAt(m, voxelOf(axis, seed.slice, u, v)) == value) {
        const double d = (u - cu) * (u - cu) + (v - cv) * (v - cv);
        if (d < best) {
          best = d;
          seed.u = u;
          seed.v = v;
        }
      }
  return seed;
}

uint16_t unusedValue(const LabelMap& m) {
  const auto histogram = m.histogram();
  for (uint16_t value = 250; value > 0; --value)
    if (!histogram.count(value)) return value;
  return 0;
}

// Distance from point p to segment a-b after dividing u by su and v by sv.
double scaledDistanceToSegment(double pu, double pv, double au, double av, double bu, double bv, double su,
                               double sv) {
  pu /= su, au /= su, bu /= su;
  pv /= sv, av /= sv, bv /= sv;
  const double du = bu - au, dv = bv - av;
  const double len2 = du * du + dv * dv;
  double t = len2 > 0 ? ((pu - au) * du + (pv - av) * dv) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(pu - (au + t * du), pv - (av + t * dv));
}

}  // namespace

class EditingTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // Voxel and millimetre discs on a grid with three different spacings, on each slice axis: exactly
  // the voxels of the documented ellipse, nothing outside the slice, and the returned box.
  void discMatchesBruteForceOnEveryAxis() {
    const Size3 size{64, 48, 36};
    const Vec3 spacing{0.7, 1.1, 2.6};
    const BrushShape brushes[] = {{5.3, false}, {7.0, true}, {0.3, false}, {0.3, true}};
    struct Centre {
      double u, v;
    };
    const Centre centres[] = {{20.3, 14.6}, {1.2, 2.4}, {46.8, 34.7}};  // inside, clipped low, clipped high
    for (Axis axis : kAxes)
      for (const BrushShape& brush : brushes)
        for (const Centre& c : centres) {
          LabelMap labels = syntheticMap(size, spacing);
          const int64_t slice = size[static_cast<int>(axis)] / 2 + 1;
          const IndexBox box = paintDisc(labels, axis, slice, c.u, c.v, brush, {3, {}});
          const auto r = semiAxes(labels, axis, brush);
          BoxBuilder expected;
          int64_t expectedCount = 0, wrong = 0;
          forEachVoxel(size, [&](const Index3& p) {
            const auto q = planeOf(axis, p);
            const bool want = q[2] == slice && inDisc(q[0], q[1], c.u, c.v, r[0], r[1]);
            if (want) {
              ++expectedCount;
              expected.add(p);
            }
            if ((labelAt(labels, p) == 3) != want || (!want && labelAt(labels, p) != 0)) ++wrong;
          });
          QCOMPARE(wrong, int64_t{0});
          QVERIFY(expectedCount > 0);
          QVERIFY(sameBox(box, expected.box));
          QVERIFY(sameBox(discBounds(labels, axis, slice, c.u, c.v, brush), expected.box));
          if (brush.radius < 1) QCOMPARE(expectedCount, int64_t{1});  // only the voxel under the centre
        }
    // The millimetre brush is round in space: on an axial slice of this grid 10 voxels across x and
    // about 6.4 along y; the voxel brush is a disc.
    LabelMap labels = syntheticMap(size, spacing);
    const IndexBox mm = paintDisc(labels, Axis::Z, 3, 30, 20, {7.0, true}, {1, {}});
    QCOMPARE(mm.hi[0] - mm.lo[0], int64_t{20});
    QCOMPARE(mm.hi[1] - mm.lo[1], int64_t{12});
    const int64_t ellipse = labels.histogram()[1];
    QVERIFY(std::abs(ellipse - M_PI * 10 * (7.0 / 1.1)) < 0.05 * M_PI * 10 * (7.0 / 1.1));
    const IndexBox vox = paintDisc(labels, Axis::Z, 4, 30, 20, {7.0, false}, {2, {}});
    QCOMPARE(vox.hi[0] - vox.lo[0], int64_t{14});
    QCOMPARE(vox.hi[1] - vox.lo[1], int64_t{14});
  }

  void discOutsideTheImageOrSliceRange() {
    LabelMap labels = syntheticMap({40, 30, 20}, {1, 1, 1});
    QVERIFY(paintDisc(labels, Axis::Z, 5, -50, -50, {4, false}, {1, {}}).empty());
    QVERIFY(paintDisc(labels, Axis::X, 5, 1e9, 3, {4, false}, {1, {}}).empty());
    QVERIFY(labels.histogram().empty());
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, paintDisc(labels, Axis::Z, 20, 5, 5, {2, false}, {1, {}}));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, paintDisc(labels, Axis::X, -1, 5, 5, {2, false}, {1, {}}));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range,
                             paintStroke(labels, Axis::Y, 30, 1, 1, 5, 5, {2, false}, {1, {}}));
    QVERIFY_THROWS_EXCEPTION(Error, paintDisc(labels, Axis::Z, 2, 5, 5, {2, false}, {300, {}}));
    QVERIFY_THROWS_EXCEPTION(Error, paintDisc(labels, Axis::Z, 2, 5, 5, {-1, false}, {1, {}}));
    QVERIFY_THROWS_EXCEPTION(Error, paintDisc(labels, Axis::Z, 2, NAN, 5, {1, false}, {1, {}}));
    // A stroke flung far across the image still paints its part inside.
    const IndexBox box = paintStroke(labels, Axis::Z, 2, -1e12, 10.2, 1e12, 10.2, {1.5, false}, {1, {}});
    QCOMPARE(box.lo[0], int64_t{0});
    QCOMPARE(box.hi[0], int64_t{39});
    QCOMPARE(labels.histogram()[1], int64_t{40 * 3});
  }

  // On the real organ map: painting over locked liver leaves it, erasing leaves the locked paint, and
  // the box covers only voxels that changed.
  void lockedLabelsSurvivePaintingAndErasing() {
    LabelMap labels = sampleLabels();
    const Size3 size = labels.geometry().size;
    const uint16_t liver = 5, paint = unusedValue(labels);
    QVERIFY(paint != 0);
    const OrganSeed seed = organSeed(labels, Axis::Z, liver);
    QVERIFY(seed.slice >= 0);
    const BrushShape brush{40, true};  // 40 mm: liver and its neighbours
    const auto r = semiAxes(labels, Axis::Z, brush);
    // Walk from the liver's centre until the disc is roughly half liver: it straddles the edge.
    double cu = seed.u + 0.3, cv = seed.v + 0.4;
    for (int step = 0; step < 60; ++step, cv -= 1) {
      int64_t inside = 0, liverInside = 0;
      forEachVoxel(size, [&](const Index3& p) {
        if (p[2] != seed.slice || !inDisc(p[0], p[1], cu, cv, r[0], r[1])) return;
        ++inside;
        if (labelAt(labels, p) == liver) ++liverInside;
      });
      if (liverInside * 2 <= inside) break;
    }

    const LabelMap before = labels;
    const IndexBox painted = paintDisc(labels, Axis::Z, seed.slice, cu, cv, brush, {paint, {liver}});
    int64_t lockedInDisc = 0, paintedCount = 0, wrong = 0;
    BoxBuilder changed;
    forEachVoxel(size, [&](const Index3& p) {
      const uint16_t old = labelAt(before, p);
      const bool disc = p[2] == seed.slice && inDisc(p[0], p[1], cu, cv, r[0], r[1]);
      const uint16_t want = disc && old != liver ? paint : old;
      if (disc && old == liver) ++lockedInDisc;
      if (disc && old != liver) ++paintedCount;
      if (want != old) changed.add(p);
      if (labelAt(labels, p) != want) ++wrong;
    });
    QCOMPARE(wrong, int64_t{0});
    QVERIFY(lockedInDisc > 20);
    QVERIFY(paintedCount > 20);
    QVERIFY(sameBox(painted, changed.box));

    // Erase a shifted disc with the paint locked: other labels, liver included, become background.
    const LabelMap beforeErase = labels;
    const double eu = cu + 3, ev = cv - 2;
    const IndexBox erased = paintDisc(labels, Axis::Z, seed.slice, eu, ev, brush, {0, {paint}});
    std::set<uint16_t> erasedLabels;
    int64_t keptPaint = 0;
    BoxBuilder erasedBox;
    wrong = 0;
    forEachVoxel(size, [&](const Index3& p) {
      const uint16_t old = labelAt(beforeErase, p);
      const bool disc = p[2] == seed.slice && inDisc(p[0], p[1], eu, ev, r[0], r[1]);
      const uint16_t want = disc && old != paint ? 0 : old;
      if (disc && old == paint) ++keptPaint;
      if (want != old) {
        erasedLabels.insert(old);
        erasedBox.add(p);
      }
      if (labelAt(labels, p) != want) ++wrong;
    });
    QCOMPARE(wrong, int64_t{0});
    QVERIFY(keptPaint > 20);
    QVERIFY(erasedLabels.count(liver));
    QVERIFY(sameBox(erased, erasedBox.box));
    // Erasing background again changes nothing.
    QVERIFY(paintDisc(labels, Axis::Z, seed.slice, eu, ev, brush, {0, {paint}}).empty());
  }

  // Erasing without locks clears exactly the labelled voxels of the disc; the box is theirs, not the
  // disc's.
  void eraseOnACoronalSlice() {
    LabelMap labels = sampleLabels();
    const OrganSeed seed = organSeed(labels, Axis::Y, 5);
    const LabelMap before = labels;
    const BrushShape brush{9.5, false};
    const IndexBox box = paintDisc(labels, Axis::Y, seed.slice, seed.u - 9.2, seed.v, brush, {0, {}});
    BoxBuilder expected;
    int64_t erased = 0, wrong = 0;
    forEachVoxel(labels.geometry().size, [&](const Index3& p) {
      const auto q = planeOf(Axis::Y, p);
      const bool disc = q[2] == seed.slice && inDisc(q[0], q[1], seed.u - 9.2, seed.v, 9.5, 9.5);
      const uint16_t want = disc ? 0 : labelAt(before, p);
      if (want != labelAt(before, p)) {
        ++erased;
        expected.add(p);
      }
      if (labelAt(labels, p) != want) ++wrong;
    });
    QCOMPARE(wrong, int64_t{0});
    QVERIFY(erased > 50);
    QVERIFY(sameBox(box, expected.box));
  }

  // Every voxel on the centre line is painted, the band is full to 0.9 radii, and nothing lies beyond
  // the brush, for thin and wide brushes on each axis.
  void strokeHasNoGaps() {
    const Size3 size{120, 90, 70};
    const Vec3 spacing{0.7, 1.1, 2.6};
    const BrushShape brushes[] = {{0.4, false}, {1.0, false}, {3.0, true}, {6.5, false}};
    for (Axis axis : kAxes)
      for (const BrushShape& brush : brushes) {
        LabelMap labels = syntheticMap(size, spacing);
        const auto wh = planeSize(size, axis);
        const double u0 = 3.2, v0 = 5.7, u1 = wh[0] * 0.83 + 0.37, v1 = wh[1] * 0.31 + 0.13;
        const int64_t slice = 7;
        const IndexBox box = paintStroke(labels, axis, slice, u0, v0, u1, v1, brush, {1, {}});
        const auto r = semiAxes(labels, axis, brush);
        for (int s = 0; s <= 10000; ++s) {
          const double t = s / 10000.0;
          const Index3 p = voxelOf(axis, slice, std::lround(u0 + t * (u1 - u0)), std::lround(v0 + t * (v1 - v0)));
          if (labelAt(labels, p) != 1) QFAIL(qPrintable(QString("gap on the centre line at t=%1").arg(t)));
        }
        const bool wide = std::min(r[0], r[1]) >= 1;
        int64_t holes = 0, strays = 0;
        BoxBuilder paintedBox;
        forEachVoxel(size, [&](const Index3& p) {
          const auto q = planeOf(axis, p);
          const bool painted = labelAt(labels, p) == 1;
          if (painted) paintedBox.add(p);
          if (q[2] != slice) {
            if (painted) ++strays;
            return;
          }
          const double scaled = scaledDistanceToSegment(q[0], q[1], u0, v0, u1, v1, r[0], r[1]);
          const double plain = scaledDistanceToSegment(q[0], q[1], u0, v0, u1, v1, 1, 1);
          if (wide && scaled <= 0.9 && !painted) ++holes;
          if (painted && scaled > 1 + 1e-9 && plain > std::sqrt(0.5) + 1e-9) ++strays;
        });
        QCOMPARE(holes, int64_t{0});
        QCOMPARE(strays, int64_t{0});
        QVERIFY(sameBox(box, paintedBox.box));
        // On an empty map every reachable voxel changes, so the bounds are exactly the painted box.
        QVERIFY(sameBox(strokeBounds(labels, axis, slice, u0, v0, u1, v1, brush), box));
      }
  }

  // Bucket fill on real organ slices of each axis equals the 4-connected component found by BFS, and
  // touches nothing else, in that slice or any other.
  void fillMatchesConnectedComponent() {
    const LabelMap original = sampleLabels();
    const uint16_t fillValue = unusedValue(original);
    for (Axis axis : kAxes)
      for (uint16_t organ : {uint16_t{5}, uint16_t{1}, uint16_t{0}}) {
        LabelMap labels = original;
        OrganSeed seed;
        if (organ == 0) {
          seed.slice = labels.geometry().size[static_cast<int>(axis)] / 2;  // background from the corner
          QCOMPARE(labelAt(labels, voxelOf(axis, seed.slice, 0, 0)), uint16_t{0});
        } else {
          seed = organSeed(labels, axis, organ);
          QVERIFY(seed.count > 0);
        }
        const std::vector<Index3> component = componentInSlice(original, axis, seed.slice, seed.u, seed.v);
        QVERIFY(component.size() > 10);
        const IndexBox box = fillInSlice(labels, axis, seed.slice, seed.u, seed.v, {fillValue, {}});
        LabelMap expected = original;
        BoxBuilder expectedBox;
        for (const Index3& p : component) {
          expected.set(p[0], p[1], p[2], fillValue);
          expectedBox.add(p);
        }
        QVERIFY(sameVoxels(labels.voxels(), expected.voxels()));
        QCOMPARE(labels.histogram()[fillValue], static_cast<int64_t>(component.size()));
        QVERIFY(sameBox(box, expectedBox.box));
        // Organs are not one blob per slice everywhere, but the fill must stay inside its slice.
        QCOMPARE(box.lo[static_cast<int>(axis)], seed.slice);
        QCOMPARE(box.hi[static_cast<int>(axis)], seed.slice);
      }
  }

  void fillRespectsLocksAndOwnValue() {
    LabelMap labels = sampleLabels();
    const LabelMap before = labels;
    const OrganSeed seed = organSeed(labels, Axis::Z, 5);
    QVERIFY(fillInSlice(labels, Axis::Z, seed.slice, seed.u, seed.v, {9, {5}}).empty());
    QVERIFY(fillInSlice(labels, Axis::Z, seed.slice, seed.u, seed.v, {5, {}}).empty());
    QVERIFY(sameVoxels(labels.voxels(), before.voxels()));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, fillInSlice(labels, Axis::Z, seed.slice, -1, 0, {9, {}}));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, fillInSlice(labels, Axis::Z, 10000, 0, 0, {9, {}}));
    // Erasing by fill empties the component.
    const auto component = componentInSlice(before, Axis::Z, seed.slice, seed.u, seed.v);
    const IndexBox box = fillInSlice(labels, Axis::Z, seed.slice, seed.u, seed.v, {0, {}});
    QVERIFY(!box.empty());
    QCOMPARE(before.histogram()[5] - labels.histogram()[5], static_cast<int64_t>(component.size()));
  }

  // Several brush edits on different axes, a fill and a whole-volume edit; undo back to the start and
  // redo to the end restore every state byte for byte, and the boxes cover every change.
  void undoRedoRestoreEveryStateExactly() {
    LabelMap labels = sampleLabels();
    const Size3 size = labels.geometry().size;
    LabelUndoStack stack;
    std::vector<LabelMap> states{labels};
    std::vector<std::string> names;
    const auto record = [&](const std::string& name, const std::function<void()>& edit,
                            const std::function<void()>& touch) {
      stack.begin(labels, name);
      touch();
      edit();
      QVERIFY(stack.commit(labels));
      states.push_back(labels);
      names.push_back(name);
    };
    const OrganSeed liver = organSeed(labels, Axis::Z, 5);
    const BrushShape brush{12, true};

    // Axial stroke.
    record("Brush", [&] { paintStroke(labels, Axis::Z, liver.slice, 20.5, 30.2, 80.1, 60.7, brush, {250, {}}); },
           [&] { stack.touch(labels, strokeBounds(labels, Axis::Z, liver.slice, 20.5, 30.2, 80.1, 60.7, brush)); });
    // Sagittal stroke: spans several Z slices.
    record("Brush", [&] { paintStroke(labels, Axis::X, 60, 30.4, 40.2, 70.3, 80.9, brush, {3, {5}}); },
           [&] { stack.touch(labels, strokeBounds(labels, Axis::X, 60, 30.4, 40.2, 70.3, 80.9, brush)); });
    // Coronal erase.
    record("Erase", [&] { paintDisc(labels, Axis::Y, 50, 61.3, 55.5, {20, true}, {0, {}}); },
           [&] { stack.touch(labels, discBounds(labels, Axis::Y, 50, 61.3, 55.5, {20, true})); });
    // Axial fill of the liver.
    record("Fill", [&] { fillInSlice(labels, Axis::Z, liver.slice, liver.u, liver.v, {7, {}}); },
           [&] { stack.touch(labels, liver.slice, liver.slice); });
    // Whole-volume edit, like an automatic segmentation: relabels every organ voxel.
    record("Automatic segmentation",
           [&] {
             uint8_t* p = labels.voxels().data<uint8_t>();
             for (int64_t i = 0, n = labels.voxels().voxelCount(); i < n; ++i)
               if (p[i] != 0) p[i] = static_cast<uint8_t>(p[i] % 4 + 1);
           },
           [&] { stack.touchAll(labels); });
    // The automatic result compresses far below a copy of the map.
    qInfo("undo memory after 5 edits: %zu bytes; the map: %zu bytes", stack.memoryBytes(),
          labels.voxels().byteCount());
    QVERIFY(stack.memoryBytes() < labels.voxels().byteCount() / 10);

    for (std::size_t i = 1; i < states.size(); ++i)
      QVERIFY(!sameVoxels(states[i].voxels(), states[i - 1].voxels()));
    QCOMPARE(stack.undoCount(), std::size_t{5});

    for (std::size_t step = states.size() - 1; step > 0; --step) {
      QCOMPARE(QString::fromStdString(stack.undoText()), QString::fromStdString(names[step - 1]));
      const IndexBox box = stack.undo(labels);
      QVERIFY(sameVoxels(labels.voxels(), states[step - 1].voxels()));
      QVERIFY(box.lo[0] == 0 && box.lo[1] == 0 && box.hi[0] == size[0] - 1 && box.hi[1] == size[1] - 1);
      QVERIFY(boxContains(box, differenceBox(states[step], states[step - 1])));
      QCOMPARE(QString::fromStdString(stack.redoText()), QString::fromStdString(names[step - 1]));
    }
    QVERIFY(!stack.canUndo());
    QVERIFY(stack.undo(labels).empty());
    for (std::size_t step = 1; step < states.size(); ++step) {
      stack.redo(labels);
      QVERIFY(sameVoxels(labels.voxels(), states[step].voxels()));
    }
    QVERIFY(!stack.canRedo());

    // An edit that changes nothing records nothing and keeps the redo list.
    stack.undo(labels);
    stack.undo(labels);
    stack.begin(labels, "Nothing");
    stack.touch(labels, 0, 10);
    paintDisc(labels, Axis::Z, 5, -40, -40, brush, {1, {}});
    QVERIFY(!stack.commit(labels));
    QCOMPARE(stack.undoCount(), std::size_t{3});
    QCOMPARE(stack.redoCount(), std::size_t{2});
    // A real edit clears it.
    record("Brush", [&] { paintDisc(labels, Axis::Z, 40, 60, 50, brush, {200, {}}); },
           [&] { stack.touch(labels, 40, 40); });
    QVERIFY(!stack.canRedo());
    QCOMPARE(stack.undoCount(), std::size_t{4});
    stack.undo(labels);
    QVERIFY(sameVoxels(labels.voxels(), states[3].voxels()));

    // Misuse is refused.
    QVERIFY_THROWS_EXCEPTION(std::logic_error, stack.commit(labels));
    stack.begin(labels, "Open");
    QVERIFY_THROWS_EXCEPTION(std::logic_error, stack.begin(labels, "Again"));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, stack.undo(labels));
    stack.cancel();
    LabelMap other = syntheticMap({10, 10, 10}, {1, 1, 1});
    QVERIFY_THROWS_EXCEPTION(Error, stack.undo(other));
    stack.clear();
    QCOMPARE(stack.memoryBytes(), std::size_t{0});
    QVERIFY(!stack.canUndo() && !stack.canRedo());
  }

  // A small stroke on a 512x512 map costs a few hundred bytes per touched slice, not a copy.
  void smallStrokeUndoIsTiny() {
    for (PixelType type : {PixelType::UInt8, PixelType::UInt16}) {
      LabelMap labels = syntheticMap({512, 512, 48}, {0.7, 0.7, 2.5}, type);
      // Some content, so the map is not trivially zero.
      for (int64_t k = 0; k < 48; ++k)
        for (int64_t j = 100; j < 400; ++j)
          for (int64_t i = 150; i < 350; ++i) labels.set(i, j, k, 4);
      const LabelMap before = labels;
      LabelUndoStack stack;
      const BrushShape brush{3, true};
      stack.begin(labels, "Brush");
      stack.touch(labels, strokeBounds(labels, Axis::Z, 20, 100.3, 120.8, 180.6, 160.1, brush));
      paintStroke(labels, Axis::Z, 20, 100.3, 120.8, 180.6, 160.1, brush, {9, {}});
      QVERIFY(stack.commit(labels));
      const std::size_t axial = stack.memoryBytes();
      stack.begin(labels, "Brush");
      stack.touch(labels, strokeBounds(labels, Axis::X, 200, 100.3, 20.8, 180.6, 30.1, brush));
      paintStroke(labels, Axis::X, 200, 100.3, 20.8, 180.6, 30.1, brush, {9, {}});
      QVERIFY(stack.commit(labels));
      const std::size_t sagittal = stack.memoryBytes() - axial;
      qInfo("%s: axial stroke %zu bytes, sagittal stroke %zu bytes, map %zu bytes", pixelTypeName(type), axial,
            sagittal, labels.voxels().byteCount());
      QVERIFY(axial > 0);
      QVERIFY(axial < 2048);
      QVERIFY(sagittal < 4096);
      QVERIFY(labels.voxels().byteCount() > 1000 * axial);
      stack.undo(labels);
      stack.undo(labels);
      QVERIFY(sameVoxels(labels.voxels(), before.voxels()));
    }
  }

  // Past the limit the oldest edits go; the rest still undo exactly to the state they started from.
  void memoryLimitDropsOldestEdits() {
    const LabelMap start = sampleLabels();
    const auto edit = [](LabelMap& m, int n, int value) {
      paintDisc(m, Axis::Z, 10 + 8 * n, 50.4, 40.7, {25, true}, {static_cast<uint16_t>(value), {}});
    };
    // Sizes of each edit, measured on an unlimited stack.
    std::vector<std::size_t> sizes;
    std::vector<LabelMap> states{start};
    {
      LabelMap labels = start;
      LabelUndoStack unlimited;
      for (int n = 0; n < 10; ++n) {
        const std::size_t held = unlimited.memoryBytes();
        unlimited.begin(labels, "Brush");
        unlimited.touch(labels, 10 + 8 * n, 10 + 8 * n);
        edit(labels, n, 100 + n);
        QVERIFY(unlimited.commit(labels));
        sizes.push_back(unlimited.memoryBytes() - held);
        states.push_back(labels);
      }
      QCOMPARE(unlimited.undoCount(), std::size_t{10});
    }
    const std::size_t limit = sizes[0] + sizes[1] + sizes[2] + sizes[3] / 2;  // room for about 3
    LabelMap labels = start;
    LabelUndoStack stack(limit);
    std::deque<std::size_t> kept;
    std::size_t keptBytes = 0;
    for (int n = 0; n < 10; ++n) {
      stack.begin(labels, "Brush " + std::to_string(n));
      stack.touch(labels, 10 + 8 * n, 10 + 8 * n);
      edit(labels, n, 100 + n);
      QVERIFY(stack.commit(labels));
      kept.push_back(sizes[n]);
      keptBytes += sizes[n];
      while (keptBytes > limit && kept.size() > 1) {
        keptBytes -= kept.front();
        kept.pop_front();
      }
      QCOMPARE(stack.undoCount(), kept.size());
      QCOMPARE(stack.memoryBytes(), keptBytes);
      QVERIFY(stack.memoryBytes() <= limit);
    }
    QVERIFY(kept.size() < 10);
    const std::size_t remaining = stack.undoCount();
    while (stack.canUndo()) stack.undo(labels);
    QVERIFY(sameVoxels(labels.voxels(), states[10 - remaining].voxels()));
    QVERIFY(!sameVoxels(labels.voxels(), start.voxels()));

    // The latest edit stays undoable even when alone it exceeds the limit.
    LabelUndoStack tiny(1);
    for (int n = 0; n < 3; ++n) {
      tiny.begin(labels, "Brush");
      tiny.touch(labels, 10 + 8 * n, 10 + 8 * n);
      edit(labels, n, 200 + n);
      QVERIFY(tiny.commit(labels));
    }
    QCOMPARE(tiny.undoCount(), std::size_t{1});
  }

  // uint16 maps: values above 255, locks, fill and exact undo/redo of both bytes.
  void uint16MapsWork() {
    const LabelMap source = sampleLabels();
    LabelMap labels(source.voxels().convertedTo(PixelType::UInt16), source.table());
    QCOMPARE(labels.pixelType(), PixelType::UInt16);
    const Size3 size = labels.geometry().size;
    // Move the liver to a value that needs both bytes.
    uint16_t* p = labels.voxels().data<uint16_t>();
    for (int64_t i = 0, n = labels.voxels().voxelCount(); i < n; ++i)
      if (p[i] == 5) p[i] = 1029;
    const LabelMap start = labels;
    const OrganSeed seed = organSeed(labels, Axis::Z, 1029);
    LabelUndoStack stack;

    stack.begin(labels, "Brush");
    stack.touch(labels, seed.slice, seed.slice);
    const BrushShape brush{90, true};  // wider than the liver's core: paints around it
    paintDisc(labels, Axis::Z, seed.slice, seed.u + 0.2, seed.v + 0.4, brush, {40000, {1029}});
    QVERIFY(stack.commit(labels));
    const auto r = semiAxes(labels, Axis::Z, brush);
    int64_t wrong = 0, painted = 0, locked = 0;
    forEachVoxel(size, [&](const Index3& q) {
      const uint16_t old = labelAt(start, q);
      const bool disc = q[2] == seed.slice && inDisc(q[0], q[1], seed.u + 0.2, seed.v + 0.4, r[0], r[1]);
      const uint16_t want = disc && old != 1029 ? 40000 : old;
      if (want == 40000) ++painted;
      if (disc && old == 1029) ++locked;
      if (labelAt(labels, q) != want) ++wrong;
    });
    QCOMPARE(wrong, int64_t{0});
    QVERIFY(painted > 0);
    QVERIFY(locked > 0);
    const LabelMap afterBrush = labels;

    stack.begin(labels, "Fill");
    stack.touch(labels, seed.slice, seed.slice);
    const auto component = componentInSlice(labels, Axis::Z, seed.slice, seed.u, seed.v);
    fillInSlice(labels, Axis::Z, seed.slice, seed.u, seed.v, {777, {}});
    QVERIFY(stack.commit(labels));
    QCOMPARE(labels.histogram()[777], static_cast<int64_t>(component.size()));
    const LabelMap afterFill = labels;

    stack.undo(labels);
    QVERIFY(sameVoxels(labels.voxels(), afterBrush.voxels()));
    stack.undo(labels);
    QVERIFY(sameVoxels(labels.voxels(), start.voxels()));
    stack.redo(labels);
    stack.redo(labels);
    QVERIFY(sameVoxels(labels.voxels(), afterFill.voxels()));
  }

  // The brush must keep up with the mouse: a 40-voxel disc on a 512x512 slice, best of 20 runs.
  void largeDiscIsFast() {
    LabelMap labels = syntheticMap({512, 512, 8}, {0.7, 0.7, 2.5});
    double best = 1e9;
    for (int run = 0; run < 20; ++run) {
      const auto t0 = std::chrono::steady_clock::now();
      const IndexBox box =
          paintDisc(labels, Axis::Z, 4, 255.5, 260.2, {40, false}, {static_cast<uint16_t>(1 + run % 2), {7}});
      const auto t1 = std::chrono::steady_clock::now();
      QVERIFY(!box.empty());
      best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    qInfo("40-voxel disc on 512x512: %.4f ms", best);
    QVERIFY(best < 1.0);
  }
};

QTEST_GUILESS_MAIN(EditingTest)
#include "test_editing.moc"
