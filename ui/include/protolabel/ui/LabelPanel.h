#pragma once
// The label list: add, delete (button, context menu, Delete key; undoable), rename (edit the name),
// recolour (double-click the swatch), opacity, hide, lock;
// the selected row is the label the brush paints. Loads and saves ITK-SNAP label description files.
#include <QWidget>

class QTableWidget;

namespace protolabel::ui {

class ViewerModel;

class LabelPanel : public QWidget {
  Q_OBJECT
 public:
  explicit LabelPanel(ViewerModel* model, QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }

 public Q_SLOTS:
  void addLabel();
  void deleteSelectedLabel();
  void loadTable();
  void saveTable();

 private:
  void rebuild();
  void selectActiveLabel();
  void onCellChanged(int row, int column);
  void onCellDoubleClicked(int row, int column);
  uint16_t valueAt(int row) const;

  ViewerModel* model_;
  QTableWidget* table_;
  bool rebuilding_ = false;
};

}  // namespace protolabel::ui
