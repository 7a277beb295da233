// Writes the fuzzers' seed corpora: a small block cut from a real CT of ../shared/data, stored in
// every format the readers take, a label map of it as .seg.nrrd, and its ITK-SNAP label file; with a
// DICOM file, a DICOM Segmentation of it (its brighter half labelled).
// Usage: make_seeds SOURCE_IMAGE OUTPUT_DIR [REFERENCE_DICOM]   (OUTPUT_DIR/<format>/ per format)
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include "protolabel/core/LabelMap.h"
#include "protolabel/core/io/DicomSeg.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/core/io/LabelIO.h"

namespace fs = std::filesystem;
using namespace protolabel::core;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: make_seeds SOURCE_IMAGE OUTPUT_DIR [REFERENCE_DICOM]\n";
    return 2;
  }
  const Volume source = readImage(argv[1]).volume.convertedTo(PixelType::Int16);
  ImageGeometry g = source.geometry();
  const Size3 in = g.size;
  g.size = {std::min<int64_t>(12, in[0]), std::min<int64_t>(10, in[1]), std::min<int64_t>(4, in[2])};
  Volume block(g, PixelType::Int16);
  LabelMap labels(g, PixelType::UInt8);
  for (int64_t z = 0; z < g.size[2]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y)
      for (int64_t x = 0; x < g.size[0]; ++x) {
        const int64_t i = x + g.size[0] * (y + g.size[1] * z);
        // The centre of the scan, where the tissue is.
        const int64_t sx = in[0] / 2 + x, sy = in[1] / 2 + y, sz = in[2] / 2 + z;
        block.data<int16_t>()[i] = source.data<int16_t>()[sx + in[0] * (sy + in[1] * sz)];
        labels.voxels().data<uint8_t>()[i] = uint8_t(block.data<int16_t>()[i] > 0 ? 1 : 0);
      }
  labels.table().addDefault(1);
  const fs::path out = argv[2];
  for (const std::string format : {"nii", "nrrd", "mha"}) {
    fs::create_directories(out / format);
    writeImage(block, (out / format / ("seed." + format)).string());
  }
  fs::create_directories(out / "seg_nrrd");
  writeLabelMap(labels, g, (out / "seg_nrrd" / "seed.seg.nrrd").string());
  fs::create_directories(out / "label_txt");
  writeItkSnapLabelFile(labels.table(), (out / "label_txt" / "seed.label.txt").string());
  if (argc == 4) {
    const Volume reference = readImage(argv[3]).volume.convertedTo(PixelType::Float32);
    LabelMap segmented(reference.geometry(), PixelType::UInt16);
    const float* v = reference.data<float>();
    std::vector<float> sorted(v, v + reference.voxelCount());
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    for (int64_t i = 0; i < reference.voxelCount(); ++i)
      segmented.voxels().data<uint16_t>()[i] = v[i] > sorted[sorted.size() / 2] ? 1 : 0;
    segmented.table().addDefault(1);
    fs::create_directories(out / "dcm_seg");
    writeDicomSeg(segmented, argv[3], (out / "dcm_seg" / "seed.dcm").string());
  }
  std::cout << "seeds in " << out << "\n";
  return 0;
}
