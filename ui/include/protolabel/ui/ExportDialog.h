#pragma once
// Export of the labels: choose the folder, a base name and the formats (NIfTI, NRRD, .seg.nrrd
// with names and colours, the ITK-SNAP label file, STL meshes in LPS, and a DICOM Segmentation when
// the image came from DICOM). Writing is core's exportLabels(): on the image's grid, atomically, never
// over the source image.
#include <QDialog>

#include "protolabel/core/io/LabelExport.h"

class QCheckBox;
class QLineEdit;

namespace protolabel::ui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(const QString& folder, const QString& baseName, QWidget* parent = nullptr);
  core::ExportRequest request() const;
  void setFolder(const QString& folder);
  void setFormats(bool nifti, bool nrrd, bool segNrrd, bool itkSnap, bool meshes);
  // Offers the DICOM Segmentation, referencing the DICOM folder or file the image was read from.
  void setDicomSource(const QString& dicomPath);
  void setDicomSeg(bool on);

 private:
  QLineEdit* folder_;
  QLineEdit* baseName_;
  QCheckBox *nifti_, *nrrd_, *segNrrd_, *itkSnap_, *meshes_, *dicomSeg_;
  QString dicomSource_;
};

}  // namespace protolabel::ui
