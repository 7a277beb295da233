#include "protolabel/ui/ExportDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace protolabel::ui {

ExportDialog::ExportDialog(const QString& folder, const QString& baseName, QWidget* parent) : QDialog(parent) {
  setWindowTitle("Export labels");
  folder_ = new QLineEdit(folder, this);
  auto* browse = new QPushButton("Browse…", this);
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_);
  folderRow->addWidget(browse);
  baseName_ = new QLineEdit(baseName, this);
  nifti_ = new QCheckBox("NIfTI (.nii.gz) with ITK-SNAP label description", this);
  nrrd_ = new QCheckBox("NRRD (.nrrd) with ITK-SNAP label description", this);
  segNrrd_ = new QCheckBox("3D Slicer segmentation (.seg.nrrd) with names and colours", this);
  itkSnap_ = new QCheckBox("ITK-SNAP label file (.txt)", this);
  meshes_ = new QCheckBox("Surface meshes, one STL per label (LPS)", this);
  dicomSeg_ = new QCheckBox("DICOM Segmentation (.dcm), referencing the DICOM series", this);
  dicomSeg_->setVisible(false);  // only for images read from DICOM (setDicomSource)
  nifti_->setChecked(true);
  auto* form = new QFormLayout;
  form->addRow("Folder", folderRow);
  form->addRow("File name", baseName_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  for (QCheckBox* box : {nifti_, nrrd_, segNrrd_, itkSnap_, meshes_, dicomSeg_}) layout->addWidget(box);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText("Export");
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString chosen = QFileDialog::getExistingDirectory(this, "Export folder", folder_->text());
    if (!chosen.isEmpty()) folder_->setText(chosen);
  });
}

void ExportDialog::setFolder(const QString& folder) { folder_->setText(folder); }

void ExportDialog::setFormats(bool nifti, bool nrrd, bool segNrrd, bool itkSnap, bool meshes) {
  nifti_->setChecked(nifti);
  nrrd_->setChecked(nrrd);
  segNrrd_->setChecked(segNrrd);
  itkSnap_->setChecked(itkSnap);
  meshes_->setChecked(meshes);
}

void ExportDialog::setDicomSource(const QString& dicomPath) {
  dicomSource_ = dicomPath;
  dicomSeg_->setVisible(!dicomPath.isEmpty());
  dicomSeg_->setToolTip(dicomPath);
}

void ExportDialog::setDicomSeg(bool on) { dicomSeg_->setChecked(on); }

core::ExportRequest ExportDialog::request() const {
  core::ExportRequest r;
  r.folder = folder_->text().toStdString();
  r.baseName = baseName_->text().trimmed().toStdString();
  r.nifti = nifti_->isChecked();
  r.nrrd = nrrd_->isChecked();
  r.segNrrd = segNrrd_->isChecked();
  r.itkSnapLabels = itkSnap_->isChecked();
  r.meshes = meshes_->isChecked();
  r.dicomSeg = !dicomSource_.isEmpty() && dicomSeg_->isChecked();
  r.dicomReference = dicomSource_.toStdString();
  return r;
}

}  // namespace protolabel::ui
