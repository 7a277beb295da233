#include "protolabel/ui/LabelPanel.h"

#include <QColorDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "protolabel/core/Error.h"
#include "protolabel/core/io/ItkSnapLabelFile.h"
#include "protolabel/ui/ViewerModel.h"

namespace protolabel::ui {

namespace {
enum Column { Colour, Value, Name, Visible, Locked, Columns };
}

LabelPanel::LabelPanel(ViewerModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  table_ = new QTableWidget(0, Columns, this);
  table_->setObjectName("label-table");
  table_->setHorizontalHeaderLabels({"", "Value", "Name", "Show", "Lock"});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
  table_->setColumnWidth(Colour, 24);
  table_->setColumnWidth(Value, 48);
  auto* add = new QPushButton("Add", this);
  add->setObjectName("add-label");
  auto* load = new QPushButton("Load table…", this);
  auto* save = new QPushButton("Save table…", this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(load);
  buttons->addWidget(save);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
  layout->addLayout(buttons);

  connect(add, &QPushButton::clicked, this, &LabelPanel::addLabel);
  connect(load, &QPushButton::clicked, this, &LabelPanel::loadTable);
  connect(save, &QPushButton::clicked, this, &LabelPanel::saveTable);
  connect(table_, &QTableWidget::cellChanged, this, &LabelPanel::onCellChanged);
  connect(table_, &QTableWidget::cellDoubleClicked, this, &LabelPanel::onCellDoubleClicked);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (!rebuilding_ && row >= 0) model_->setActiveLabel(valueAt(row));
  });
  connect(model_, &ViewerModel::tableChanged, this, &LabelPanel::rebuild);
  connect(model_, &ViewerModel::activeLabelChanged, this, &LabelPanel::rebuild);
  rebuild();
}

uint16_t LabelPanel::valueAt(int row) const { return uint16_t(table_->item(row, Value)->text().toUInt()); }

void LabelPanel::rebuild() {
  rebuilding_ = true;
  const auto& entries = model_->session().table().entries();
  table_->setRowCount(int(entries.size()));
  for (int row = 0; row < int(entries.size()); ++row) {
    const core::LabelEntry& e = entries[std::size_t(row)];
    auto* swatch = new QTableWidgetItem;
    swatch->setBackground(QColor(e.color[0], e.color[1], e.color[2]));
    swatch->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    swatch->setToolTip("Double-click to change the colour");
    table_->setItem(row, Colour, swatch);
    auto* value = new QTableWidgetItem(QString::number(e.value));
    value->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    table_->setItem(row, Value, value);
    table_->setItem(row, Name, new QTableWidgetItem(QString::fromStdString(e.name)));
    for (auto [column, on] : {std::pair{int(Visible), e.visible}, std::pair{int(Locked), e.locked}}) {
      auto* box = new QTableWidgetItem;
      box->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
      box->setCheckState(on ? Qt::Checked : Qt::Unchecked);
      table_->setItem(row, column, box);
    }
    if (e.value == model_->activeLabel()) table_->selectRow(row);
  }
  rebuilding_ = false;
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
