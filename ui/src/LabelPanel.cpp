#include "protolabel/ui/LabelPanel.h"

#include <QColorDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {
enum Column { Colour, Value, Name, Opacity, Visible, Locked, Columns };
}

LabelPanel::LabelPanel(ViewerModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  table_ = new QTableWidget(0, Columns, this);
  table_->setObjectName("label-table");
  table_->setHorizontalHeaderLabels({"", "Value", "Name", "Opacity %", "Show", "Lock"});
  table_->setContextMenuPolicy(Qt::CustomContextMenu);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
  table_->setColumnWidth(Colour, 24);
  table_->setColumnWidth(Value, 48);
  auto* add = new QPushButton("Add", this);
  add->setObjectName("add-label");
  auto* remove = new QPushButton("Delete", this);
  remove->setObjectName("delete-label");
  remove->setToolTip("Deletes the selected label and clears its voxels (Delete key; undoable)");
  auto* load = new QPushButton("Load table…", this);
  auto* save = new QPushButton("Save table…", this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(remove);
  buttons->addWidget(load);
  buttons->addWidget(save);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
  layout->addLayout(buttons);

  connect(add, &QPushButton::clicked, this, &LabelPanel::addLabel);
  connect(remove, &QPushButton::clicked, this, &LabelPanel::deleteSelectedLabel);
  // The Delete key while the list has focus; the views keep their own keys.
  auto* deleteKey = new QShortcut(QKeySequence::Delete, table_, this, &LabelPanel::deleteSelectedLabel, Qt::WidgetShortcut);
  deleteKey->setObjectName("delete-label-key");
  connect(table_, &QTableWidget::customContextMenuRequested, this, [this](const QPoint& at) {
    const int row = table_->rowAt(at.y());
    if (row < 0) return;
    table_->selectRow(row);
    QMenu menu(this);
    menu.addAction("Delete label", this, &LabelPanel::deleteSelectedLabel);
    menu.addAction("Change colour…", this, [this, row] { onCellDoubleClicked(row, Colour); });
    menu.exec(table_->viewport()->mapToGlobal(at));
  });
  connect(load, &QPushButton::clicked, this, &LabelPanel::loadTable);
  connect(save, &QPushButton::clicked, this, &LabelPanel::saveTable);
  connect(table_, &QTableWidget::cellChanged, this, &LabelPanel::onCellChanged);
  connect(table_, &QTableWidget::cellDoubleClicked, this, &LabelPanel::onCellDoubleClicked);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (!rebuilding_ && row >= 0) model_->setActiveLabel(valueAt(row));
  });
  connect(model_, &ViewerModel::tableChanged, this, &LabelPanel::rebuild);
  // Only the selection follows the active label: rebuilding the rows here would destroy the item a
  // double-click is about to edit.
  connect(model_, &ViewerModel::activeLabelChanged, this, &LabelPanel::selectActiveLabel);
  rebuild();
}

uint16_t LabelPanel::valueAt(int row) const { return uint16_t(table_->item(row, Value)->text().toUInt()); }

void LabelPanel::rebuild() {
  // Cells are updated in place, never replaced: a table change can come from a cell's own edit
  // (cellChanged -> changeTable -> here), and deleting that item inside its setData corrupts memory.
  const QSignalBlocker block(table_);
  rebuilding_ = true;
  const auto& entries = model_->session().table().entries();
  table_->setRowCount(int(entries.size()));
  const auto cell = [this](int row, int column, Qt::ItemFlags flags) {
    QTableWidgetItem* item = table_->item(row, column);
    if (!item) table_->setItem(row, column, item = new QTableWidgetItem);
    item->setFlags(flags);
    return item;
  };
  const Qt::ItemFlags fixed = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  for (int row = 0; row < int(entries.size()); ++row) {
    const core::LabelEntry& e = entries[std::size_t(row)];
    QTableWidgetItem* swatch = cell(row, Colour, fixed);
    swatch->setBackground(QColor(e.color[0], e.color[1], e.color[2]));
    swatch->setToolTip("Double-click to change the colour");
    cell(row, Value, fixed)->setText(QString::number(e.value));
    cell(row, Name, fixed | Qt::ItemIsEditable)->setText(QString::fromStdString(e.name));
    QTableWidgetItem* opacity = cell(row, Opacity, fixed | Qt::ItemIsEditable);
    opacity->setText(QString::number(int(e.opacity * 100 + 0.5)));
    opacity->setToolTip("0-100; multiplies the overall label opacity (Tools tab)");
    for (auto [column, on] : {std::pair{int(Visible), e.visible}, std::pair{int(Locked), e.locked}})
      cell(row, column, fixed | Qt::ItemIsUserCheckable)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    if (e.value == model_->activeLabel()) table_->selectRow(row);
  }
  rebuilding_ = false;
}

void LabelPanel::selectActiveLabel() {
  for (int row = 0; row < table_->rowCount(); ++row)
    if (valueAt(row) == model_->activeLabel() && table_->currentRow() != row) {
      const QSignalBlocker block(table_);
      table_->selectRow(row);
    }
}

void LabelPanel::addLabel() {
  uint16_t next = 1;
  for (const core::LabelEntry& e : model_->session().table().entries()) next = std::max<uint16_t>(next, e.value + 1);
  core::LabelTable table = model_->session().table();
  table.addDefault(next);
  model_->changeTable(table, "Add label");
  model_->setActiveLabel(next);
}

void LabelPanel::onCellChanged(int row, int column) {
  if (rebuilding_) return;
  core::LabelTable table = model_->session().table();
  core::LabelEntry* e = table.find(valueAt(row));
  if (!e) return;
  const char* what = "Change label";
  if (column == Name) e->name = table_->item(row, Name)->text().toStdString(), what = "Rename label";
  if (column == Opacity) {
    bool ok = false;
    const int percent = table_->item(row, Opacity)->text().trimmed().remove('%').toInt(&ok);
    if (!ok || percent < 0 || percent > 100) return rebuild();  // back to the stored value
    e->opacity = percent / 100.0, what = "Change label opacity";
  }
  if (column == Visible) e->visible = table_->item(row, Visible)->checkState() == Qt::Checked, what = "Show or hide label";
  if (column == Locked) e->locked = table_->item(row, Locked)->checkState() == Qt::Checked, what = "Lock or unlock label";
  model_->changeTable(table, what);
}

void LabelPanel::onCellDoubleClicked(int row, int column) {
  if (column != Colour) return;
  core::LabelTable table = model_->session().table();
  core::LabelEntry* e = table.find(valueAt(row));
  if (!e) return;
  const QColor chosen = QColorDialog::getColor(QColor(e->color[0], e->color[1], e->color[2]), this, "Label colour");
  if (!chosen.isValid()) return;
  e->color = {uint8_t(chosen.red()), uint8_t(chosen.green()), uint8_t(chosen.blue())};
  model_->changeTable(table, "Recolour label");
}

void LabelPanel::deleteSelectedLabel() {
  const int row = table_->currentRow();
  if (row < 0 || !model_->hasImage()) return;
  model_->deleteLabel(valueAt(row));
}

void LabelPanel::loadTable() {
  const QString path = QFileDialog::getOpenFileName(this, "Load label table", {}, "ITK-SNAP labels (*.txt);;All files (*)");
  if (path.isEmpty()) return;
  try {
    const core::LabelTable loaded = core::readItkSnapLabelFile(path.toStdString());
    core::LabelTable table = model_->session().table();
    for (const core::LabelEntry& e : loaded.entries())
      if (e.value != 0) table.set(e);
    model_->changeTable(table, "Load label table");
  } catch (const core::Error& e) {
    QMessageBox::warning(this, "Load label table", QString::fromStdString(e.what()));
  }
}

void LabelPanel::saveTable() {
  const QString path = QFileDialog::getSaveFileName(this, "Save label table", "labels.txt", "ITK-SNAP labels (*.txt)");
  if (path.isEmpty()) return;
  try {
    core::writeItkSnapLabelFile(model_->session().table(), path.toStdString());
  } catch (const core::Error& e) {
    QMessageBox::warning(this, "Save label table", QString::fromStdString(e.what()));
  }
}

}  // namespace protolabel::ui
