#pragma once
// Chooses labels by name from a label map that may hold dozens (TotalSegmentator has 117): a
// filterable, checkable list showing each label's value, name and voxel count.
#include <QDialog>
#include <cstdint>
#include <map>
#include <set>

#include "protolabel/core/LabelTable.h"

class QLineEdit;
class QListWidget;

namespace protolabel::ui {

class LabelPickerDialog : public QDialog {
  Q_OBJECT
 public:
  // `voxelCounts`: the labels present (value -> voxels); names come from `table`.
  LabelPickerDialog(const core::LabelTable& table, const std::map<uint16_t, int64_t>& voxelCounts, const QString& title,
                    QWidget* parent = nullptr);

  std::set<uint16_t> chosen() const;
  void setChosen(const std::set<uint16_t>& values);
  QListWidget* list() const { return list_; }
  QLineEdit* filter() const { return filter_; }

 private:
  void applyFilter(const QString& text);

  QLineEdit* filter_;
  QListWidget* list_;
};

}  // namespace protolabel::ui
