#pragma once
// Export of the labels: choose the folder, a base name and the formats (NIfTI, NRRD, .seg.nrrd
// with names and colours, the ITK-SNAP label file, STL meshes in LPS). Writing is core's
// exportLabels(): on the image's grid, atomically, never over the source image.
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

 private:
  QLineEdit* folder_;
  QLineEdit* baseName_;
  QCheckBox *nifti_, *nrrd_, *segNrrd_, *itkSnap_, *meshes_;
};

}  // namespace protolabel::ui
