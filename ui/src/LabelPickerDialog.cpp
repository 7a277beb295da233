#include "protolabel/ui/LabelPickerDialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace protolabel::ui {

LabelPickerDialog::LabelPickerDialog(const core::LabelTable& table, const std::map<uint16_t, int64_t>& voxelCounts,
                                     const QString& title, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(title);
  setObjectName("label-picker");
  filter_ = new QLineEdit(this);
  filter_->setObjectName("label-filter");
  filter_->setPlaceholderText("Filter by name (e.g. kidney)");
  filter_->setClearButtonEnabled(true);
  list_ = new QListWidget(this);
  list_->setObjectName("label-choices");
  for (const auto& [value, voxels] : voxelCounts) {
    const core::LabelEntry* e = table.find(value);
    const QString name = e && !e->name.empty() ? QString::fromStdString(e->name) : QString("Label %1").arg(value);
    auto* item = new QListWidgetItem(QString("%1  —  %2  (%3 voxels)").arg(value).arg(name).arg(voxels), list_);
    item->setData(Qt::UserRole, value);
    item->setData(Qt::UserRole + 1, name);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    item->setCheckState(Qt::Unchecked);
    if (e) {
      QPixmap swatch(12, 12);
      swatch.fill(QColor(e->color[0], e->color[1], e->color[2]));
      item->setIcon(QIcon(swatch));
    }
  }
  auto* all = new QPushButton("All shown", this);
  all->setObjectName("pick-all");
  auto* none = new QPushButton("None", this);
  auto* row = new QHBoxLayout;
  row->addWidget(all);
  row->addWidget(none);
  row->addStretch();
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel("Tick the labels to segment (none ticked: all of them).", this));
  layout->addWidget(filter_);
  layout->addWidget(list_);
  layout->addLayout(row);
  layout->addWidget(buttons);
  resize(420, 480);

  connect(filter_, &QLineEdit::textChanged, this, &LabelPickerDialog::applyFilter);
  connect(all, &QPushButton::clicked, this, [this] {
    for (int i = 0; i < list_->count(); ++i)
      if (!list_->item(i)->isHidden()) list_->item(i)->setCheckState(Qt::Checked);
  });
  connect(none, &QPushButton::clicked, this, [this] {
    for (int i = 0; i < list_->count(); ++i) list_->item(i)->setCheckState(Qt::Unchecked);
  });
  connect(list_, &QListWidget::itemDoubleClicked, this, [](QListWidgetItem* item) {
    item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked);
  });
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void LabelPickerDialog::applyFilter(const QString& text) {
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    item->setHidden(!text.isEmpty() && !item->data(Qt::UserRole + 1).toString().contains(text, Qt::CaseInsensitive));
  }
}

std::set<uint16_t> LabelPickerDialog::chosen() const {
  std::set<uint16_t> values;
  for (int i = 0; i < list_->count(); ++i)
    if (list_->item(i)->checkState() == Qt::Checked) values.insert(uint16_t(list_->item(i)->data(Qt::UserRole).toUInt()));
  return values;
}

void LabelPickerDialog::setChosen(const std::set<uint16_t>& values) {
  for (int i = 0; i < list_->count(); ++i)
    list_->item(i)->setCheckState(values.count(uint16_t(list_->item(i)->data(Qt::UserRole).toUInt())) ? Qt::Checked
                                                                                                     : Qt::Unchecked);
}

}  // namespace protolabel::ui
