// Label export and import: NIfTI with an ITK-SNAP description beside it, Slicer's .seg.nrrd with its
// segment fields, the ITK-SNAP file itself, grid checks and atomic, source-safe writes.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "TestSupport.h"
#include "protolabel/core/Error.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/ImageWriter.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/core/io/LabelIO.h"

using namespace protolabel::core;
using protolabel::test::dataPath;
using protolabel::test::sameVoxels;
namespace fs = std::filesystem;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The liver-only label map of the real CT, with a named and coloured table.
LabelMap namedLiverLabels() {
  LabelMap labels = readLabelMap(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm_seg_total.nii.gz"));
  LabelEntry liver;
  liver.value = 5;
  liver.name = "liver \"segment\" 8";
  liver.color = {221, 130, 101};
  liver.opacity = 0.5;
  labels.table().set(liver);
  LabelEntry spleen;
  spleen.value = 1;
  spleen.name = "spleen";
  spleen.color = {157, 108, 162};
  spleen.visible = false;
  labels.table().set(spleen);
  return labels;
}

}  // namespace

class LabelFilesTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string temp(const std::string& name) { return (dir_.path() + "/" + QString::fromStdString(name)).toStdString(); }

 private Q_SLOTS:
  void niftiRoundTripKeepsVoxelsGridNamesAndColours() {
    const LabelMap labels = namedLiverLabels();
    const ImageGeometry grid = readImage(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz")).volume.geometry();
    QVERIFY(labels.geometry().sameGrid(grid));
    const std::string path = temp("organs.nii.gz");
    writeLabelMap(labels, grid, path);
    QVERIFY(fs::exists(temp("organs.label.txt")));
    const LabelMap back = readLabelMap(path);
    QVERIFY(sameVoxels(labels.voxels(), back.voxels()));
    QVERIFY(back.geometry().sameGrid(grid));
    const LabelEntry* liver = back.table().find(5);
    QVERIFY(liver);
    QCOMPARE(QString::fromStdString(liver->name), QString("liver 'segment' 8"));
    QCOMPARE(liver->color, (std::array<uint8_t, 3>{221, 130, 101}));
    QCOMPARE(liver->opacity, 0.5);
    QVERIFY(!back.table().find(1)->visible);
    // Every value present in the map has an entry.
    for (const auto& [value, count] : labels.histogram()) QVERIFY(back.table().find(value));
  }

  void segNrrdCarriesSlicerSegmentFields() {
    const LabelMap labels = namedLiverLabels();
    const std::string path = temp("organs.seg.nrrd");
    writeLabelMap(labels, labels.geometry(), path);
    const std::string header = readText(path);
    for (const char* field : {"Segmentation_MasterRepresentation:=Binary labelmap", "Segmentation_ContainedRepresentationNames:=",
                              "Segmentation_ReferenceImageExtentOffset:=0 0 0", "Segment0_ID:=", "Segment0_Name:=",
                              "Segment0_Color:=", "Segment0_LabelValue:=", "Segment0_Layer:=0", "Segment0_Extent:=",
                              "space: left-posterior-superior"})
      QVERIFY2(header.find(field) != std::string::npos, field);
    // Spleen (value 1) is the first segment; its colour is written as fractions.
    QVERIFY(header.find("Segment0_Name:=spleen") != std::string::npos);
    QVERIFY(header.find("Segment0_Color:=0.615686 0.423529 0.635294") != std::string::npos);
    const IndexBox liverBox = labels.extentOf(5);
    std::ostringstream extent;
    extent << liverBox.lo[0] << ' ' << liverBox.hi[0] << ' ' << liverBox.lo[1] << ' ' << liverBox.hi[1] << ' '
           << liverBox.lo[2] << ' ' << liverBox.hi[2];
    QVERIFY(header.find("_Extent:=" + extent.str()) != std::string::npos);

    const LabelMap back = readLabelMap(path);
    QVERIFY(sameVoxels(labels.voxels(), back.voxels()));
    QVERIFY(back.geometry().sameGrid(labels.geometry()));
    QCOMPARE(QString::fromStdString(back.table().find(5)->name), QString("liver \"segment\" 8"));
    QCOMPARE(back.table().find(5)->color, (std::array<uint8_t, 3>{221, 130, 101}));
    QCOMPARE(QString::fromStdString(back.table().find(1)->name), QString("spleen"));
  }

  void itkSnapDescriptionFormatAndParse() {
    LabelTable table;
    LabelEntry e;
    e.value = 3;
    e.name = "left kidney";
    e.color = {0, 128, 255};
    e.opacity = 0.75;
    e.meshVisible = false;
    table.set(e);
    const std::string text = formatItkSnapLabels(table);
    QVERIFY(text.find("# ITK-SnAP Label Description File") != std::string::npos);
    QVERIFY(text.find("\"Clear Label\"") != std::string::npos);
    QVERIFY(text.find("    3     0  128  255     0.75  1  0    \"left kidney\"") != std::string::npos);
    QCOMPARE(parseItkSnapLabels(text), table);
    const std::string path = temp("table.txt");
    writeItkSnapLabelFile(table, path);
    QCOMPARE(readItkSnapLabelFile(path), table);
    QVERIFY_THROWS_EXCEPTION(Error, parseItkSnapLabels("1 2 three 4 1 1 1 \"x\"\n"));
  }

  void labelsOffTheImageGridAreRefused() {
    const LabelMap labels = namedLiverLabels();
    const ImageGeometry otherGrid =
        readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume.geometry();
    ImageGeometry shifted = labels.geometry();
    shifted.origin[2] += 1.5;
    for (const ImageGeometry& grid : {otherGrid, shifted}) {
      const std::string path = temp("mismatch.nii.gz");
      try {
        writeLabelMap(labels, grid, path);
        QFAIL("a label map off its image's grid must be refused");
      } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::GridMismatch);
      }
      QVERIFY(!fs::exists(path));
      QVERIFY(!fs::exists(temp("mismatch.label.txt")));
    }
  }

  void theSourceImageIsNeverOverwritten() {
    const std::string source = temp("source.nii.gz");
    const Volume image = readImage(dataPath("totalsegmentator-examples/ct_a/ct_a_small_3mm.nii.gz")).volume;
    writeImage(image, source);
    const auto before = fs::file_size(source);
    WriteOptions options;
    options.protectedPaths = {source};
    LabelMap labels(image.geometry());
    try {
      writeLabelMap(labels, image.geometry(), source, options);
      QFAIL("overwriting the source must be refused");
    } catch (const Error& e) {
      QCOMPARE(e.code(), ErrorCode::WouldOverwriteSource);
    }
    // The same file reached through another spelling of its path is protected too.
    const std::string other = dir_.path().toStdString() + "/./source.nii.gz";
    QVERIFY_THROWS_EXCEPTION(Error, writeImage(image, other, options));
    QCOMPARE(fs::file_size(source), before);
  }

  void rewritingReplacesAtomically() {
    const LabelMap labels = namedLiverLabels();
    const std::string path = temp("replace.nii.gz");
    writeLabelMap(labels, labels.geometry(), path);
    LabelMap changed = labels;
    changed.set(0, 0, 0, 9);
    writeLabelMap(changed, labels.geometry(), path);
    QCOMPARE(readLabelMap(path).at(0, 0, 0), uint16_t(9));
    for (const auto& entry : fs::directory_iterator(dir_.path().toStdString()))
      QVERIFY2(entry.path().filename().string().find("protolabel-tmp") == std::string::npos, entry.path().c_str());
  }

  void nonIntegerImagesAreNotLabelMaps() {
    const std::string path = temp("mr_float.nrrd");
    const Volume mr = readImage(dataPath("totalsegmentator-examples/mr_c/mr_c_small_3mm.nii.gz")).volume;
    Volume f = mr.convertedTo(PixelType::Float32);
    f.data<float>()[10] = 0.5f;
    writeImage(f, path);
    QVERIFY_THROWS_EXCEPTION(Error, readLabelMap(path));
  }
};

QTEST_GUILESS_MAIN(LabelFilesTest)
#include "test_label_files.moc"
