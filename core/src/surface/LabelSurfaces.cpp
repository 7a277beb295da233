#include "protolabel/core/surface/LabelSurfaces.h"

#include <vtkCellArray.h>
#include <vtkCellArrayIterator.h>
#include <vtkDataArray.h>
#include <vtkDecimatePro.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataNormals.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cstring>

namespace protolabel::core {

namespace {

template <class T>
using Ptr = vtkSmartPointer<T>;

struct Extents {
  std::vector<uint16_t> present;  // requested values found in the map, in request order
  IndexBox all;                   // union of their voxel boxes
};

// One typed pass over the voxels, looking only at the requested values.
template <class T>
Extents findExtents(const LabelMap& labels, const std::vector<uint16_t>& values) {
  std::vector<uint8_t> wanted(65536, 0);
  for (uint16_t v : values)
    if (v != 0) wanted[v] = 1;
  std::vector<uint8_t> found(65536, 0);
  const Size3& s = labels.geometry().size;
  const T* p = labels.voxels().data<T>();
  IndexBox box;
  bool any = false;
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i, ++p) {
        if (!wanted[*p]) continue;
        found[*p] = 1;
        const int64_t ijk[3] = {i, j, k};
        for (int a = 0; a < 3; ++a) {
          box.lo[a] = any ? std::min(box.lo[a], ijk[a]) : ijk[a];
          box.hi[a] = any ? std::max(box.hi[a], ijk[a]) : ijk[a];
        }
        any = true;
      }
  Extents result;
  result.all = box;
  for (uint16_t v : values)
    if (v != 0 && found[v] && std::find(result.present.begin(), result.present.end(), v) == result.present.end())
      result.present.push_back(v);
  return result;
}

// Point coordinates of the image are voxel indices (origin 0, spacing 1): the physical transform,
// direction included, is applied afterwards because vtkImageData's direction is ignored by most filters.
template <class T, class Array>
Ptr<vtkImageData> labelImage(const LabelMap& labels, const IndexBox& box) {
  const Size3& s = labels.geometry().size;
  auto image = Ptr<vtkImageData>::New();
  image->SetOrigin(0, 0, 0);
  image->SetSpacing(1, 1, 1);
  auto scalars = Ptr<Array>::New();
  scalars->SetName("labels");
  const bool touchesBorder = box.lo[0] == 0 || box.lo[1] == 0 || box.lo[2] == 0 || box.hi[0] == s[0] - 1 ||
                             box.hi[1] == s[1] - 1 || box.hi[2] == s[2] - 1;
  if (!touchesBorder) {
    // The labels' own buffer, shared without a copy: the filter only reads it.
    image->SetExtent(0, int(s[0] - 1), 0, int(s[1] - 1), 0, int(s[2] - 1));
    T* data = const_cast<T*>(labels.voxels().data<T>());
    scalars->SetArray(data, labels.voxels().voxelCount(), /*save=*/1);
  } else {
    // Surfaces of labels touching the border would stay open: copy just the labels' box with a
    // margin of one background voxel on each side.
    int64_t lo[3], n[3];
    for (int a = 0; a < 3; ++a) {
      lo[a] = box.lo[a] - 1;
      n[a] = box.hi[a] - box.lo[a] + 3;
    }
    image->SetExtent(int(lo[0]), int(lo[0] + n[0] - 1), int(lo[1]), int(lo[1] + n[1] - 1), int(lo[2]),
                     int(lo[2] + n[2] - 1));
    scalars->SetNumberOfValues(n[0] * n[1] * n[2]);
    T* out = scalars->GetPointer(0);
    std::fill(out, out + n[0] * n[1] * n[2], T(0));
    const T* in = labels.voxels().data<T>();
    for (int64_t k = box.lo[2]; k <= box.hi[2]; ++k)
      for (int64_t j = box.lo[1]; j <= box.hi[1]; ++j) {
        const T* row = in + labels.voxels().linearIndex(box.lo[0], j, k);
        T* dst = out + 1 + n[0] * ((j - lo[1]) + n[1] * (k - lo[2]));
        std::memcpy(dst, row, sizeof(T) * std::size_t(box.hi[0] - box.lo[0] + 1));
      }
  }
  image->GetPointData()->SetScalars(scalars);
  return image;
}

struct IndexToPhysical {
  double m[9];  // direction * diag(spacing)
  Vec3 origin;
  bool flipsOrientation = false;

  explicit IndexToPhysical(const ImageGeometry& g) : origin(g.origin) {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) m[r * 3 + c] = g.direction[r * 3 + c] * g.spacing[c];
    const double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                       m[2] * (m[3] * m[7] - m[4] * m[6]);
    flipsOrientation = det < 0;
  }
  void apply(const double in[3], double out[3]) const {
    for (int r = 0; r < 3; ++r) out[r] = origin[r] + m[r * 3] * in[0] + m[r * 3 + 1] * in[1] + m[r * 3 + 2] * in[2];
  }
};

// Splits the one-pass contour output into one mesh per label (each point carries its contour value as
// scalar), mapping points to physical space on the way.
std::vector<Ptr<vtkPolyData>> splitByLabel(vtkPolyData* contour, const std::vector<uint16_t>& values,
                                           const IndexToPhysical& toPhysical) {
  std::vector<int> slotOfValue(65536, -1);
  for (std::size_t i = 0; i < values.size(); ++i) slotOfValue[values[i]] = int(i);

  const vtkIdType pointCount = contour->GetNumberOfPoints();
  vtkDataArray* labelOfPoint = contour->GetPointData()->GetScalars();
  std::vector<Ptr<vtkPoints>> points(values.size());
  std::vector<Ptr<vtkCellArray>> cells(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    points[i] = Ptr<vtkPoints>::New();
    cells[i] = Ptr<vtkCellArray>::New();
  }
  std::vector<vtkIdType> newId(std::size_t(pointCount), -1);
  // Flying edges winds triangles counter-clockwise seen from outside the label in index space; a
  // mirroring index-to-physical map would turn them inward.
  const bool reverse = toPhysical.flipsOrientation;

  auto cellIt = Ptr<vtkCellArrayIterator>::Take(contour->GetPolys()->NewIterator());
  for (cellIt->GoToFirstCell(); !cellIt->IsDoneWithTraversal(); cellIt->GoToNextCell()) {
    vtkIdType n = 0;
    const vtkIdType* ids = nullptr;
    cellIt->GetCurrentCell(n, ids);
    if (n != 3) continue;
    const int slot = slotOfValue[uint16_t(labelOfPoint->GetTuple1(ids[0]))];
    if (slot < 0) continue;
    vtkIdType tri[3];
    for (int c = 0; c < 3; ++c) {
      const vtkIdType id = ids[c];
      if (newId[id] < 0) {
        double index[3], p[3];
        contour->GetPoint(id, index);
        toPhysical.apply(index, p);
        newId[id] = points[slot]->InsertNextPoint(p);
      }
      tri[c] = newId[id];
    }
    if (reverse) std::swap(tri[1], tri[2]);
    cells[slot]->InsertNextCell(3, tri);
  }

  std::vector<Ptr<vtkPolyData>> meshes(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    meshes[i] = Ptr<vtkPolyData>::New();
    meshes[i]->SetPoints(points[i]);
    meshes[i]->SetPolys(cells[i]);
  }
  return meshes;
}

Ptr<vtkPolyData> refine(vtkPolyData* mesh, const SurfaceOptions& options) {
  Ptr<vtkPolyData> current = mesh;
  if (options.decimation > 0) {
    auto decimate = Ptr<vtkDecimatePro>::New();
    decimate->SetInputData(current);
    decimate->SetTargetReduction(std::clamp(options.decimation, 0.0, 0.95));
    decimate->PreserveTopologyOn();  // no holes in closed organ surfaces
    decimate->SplittingOff();
    decimate->BoundaryVertexDeletionOff();
    decimate->Update();
    current = decimate->GetOutput();
  }
  if (options.smoothingIterations > 0) {
    auto smooth = Ptr<vtkWindowedSincPolyDataFilter>::New();
    smooth->SetInputData(current);
    smooth->SetNumberOfIterations(options.smoothingIterations);
    smooth->SetPassBand(options.passBand);
    smooth->BoundarySmoothingOff();
    smooth->FeatureEdgeSmoothingOff();
    smooth->NonManifoldSmoothingOn();
    smooth->NormalizeCoordinatesOn();  // keeps the filter stable for coordinates far from the origin
    smooth->Update();
    current = smooth->GetOutput();
  }
  auto normals = Ptr<vtkPolyDataNormals>::New();
  normals->SetInputData(current);
  normals->ComputePointNormalsOn();
  normals->ComputeCellNormalsOff();
  normals->SplittingOff();    // one normal per point: shared vertices, smooth shading
  normals->ConsistencyOff();  // the winding is already outward; keep it
  normals->AutoOrientNormalsOff();
  normals->Update();
  return normals->GetOutput();
}

LabelSurface toLabelSurface(uint16_t value, vtkPolyData* mesh) {
  LabelSurface surface;
  surface.value = value;
  const vtkIdType n = mesh->GetNumberOfPoints();
  surface.points.resize(std::size_t(n) * 3);
  surface.normals.resize(std::size_t(n) * 3);
  vtkDataArray* normals = mesh->GetPointData()->GetNormals();
  for (vtkIdType i = 0; i < n; ++i) {
    double p[3];
    mesh->GetPoint(i, p);
    double nrm[3] = {0, 0, 0};
    if (normals) normals->GetTuple(i, nrm);
    for (int c = 0; c < 3; ++c) {
      surface.points[std::size_t(i) * 3 + c] = float(p[c]);
      surface.normals[std::size_t(i) * 3 + c] = float(nrm[c]);
    }
  }
  surface.triangles.reserve(std::size_t(mesh->GetNumberOfPolys()) * 3);
  auto cellIt = Ptr<vtkCellArrayIterator>::Take(mesh->GetPolys()->NewIterator());
  for (cellIt->GoToFirstCell(); !cellIt->IsDoneWithTraversal(); cellIt->GoToNextCell()) {
    vtkIdType count = 0;
    const vtkIdType* ids = nullptr;
    cellIt->GetCurrentCell(count, ids);
    if (count != 3) continue;
    for (int c = 0; c < 3; ++c) surface.triangles.push_back(uint32_t(ids[c]));
  }
  return surface;
}

}  // namespace

std::vector<LabelSurface> extractLabelSurfaces(const LabelMap& labels, const std::vector<uint16_t>& values,
                                               const SurfaceOptions& options,
                                               const std::function<bool()>& cancelled) {
  const auto isCancelled = [&] { return cancelled && cancelled(); };
  std::vector<LabelSurface> surfaces;
  if (labels.voxels().isNull() || labels.geometry().isEmpty() || values.empty()) return surfaces;

  const bool wide = labels.pixelType() == PixelType::UInt16;
  const Extents extents =
      wide ? findExtents<uint16_t>(labels, values) : findExtents<uint8_t>(labels, values);
  if (extents.present.empty() || isCancelled()) return surfaces;

  const Ptr<vtkImageData> image = wide ? labelImage<uint16_t, vtkUnsignedShortArray>(labels, extents.all)
                                       : labelImage<uint8_t, vtkUnsignedCharArray>(labels, extents.all);
  auto contour = Ptr<vtkDiscreteFlyingEdges3D>::New();
  contour->SetInputData(image);
  contour->SetNumberOfContours(int(extents.present.size()));
  for (std::size_t i = 0; i < extents.present.size(); ++i) contour->SetValue(int(i), extents.present[i]);
  contour->ComputeScalarsOn();  // the label value of each point: used to split the output
  contour->ComputeNormalsOff();
  contour->ComputeGradientsOff();
  contour->Update();
  if (isCancelled()) return surfaces;

  const auto meshes = splitByLabel(contour->GetOutput(), extents.present, IndexToPhysical(labels.geometry()));
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    if (isCancelled()) break;
    if (meshes[i]->GetNumberOfPolys() == 0) continue;
    LabelSurface surface = toLabelSurface(extents.present[i], refine(meshes[i], options));
    if (!surface.triangles.empty()) surfaces.push_back(std::move(surface));
  }
  return surfaces;
}

}  // namespace protolabel::core
