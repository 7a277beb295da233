// The annotator's everyday tools in the window, driven by QTest events on the real sample CT:
// deleting a label, opacity, the label picker, interpolation between slices, region growing, the
// threshold brush, the workspace file, export feedback and the window/level box. Runs under xvfb-run.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "TestSupport.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/ui/LabelPanel.h"
#include "protolabel/ui/LabelPickerDialog.h"
#include "protolabel/ui/MainWindow.h"
#include "protolabel/ui/SegmentPanel.h"
#include "protolabel/ui/SegmentationRunner.h"
#include "protolabel/ui/SliceView.h"
#include "protolabel/ui/StartPage.h"
#include "protolabel/ui/ToolsPanel.h"

using namespace protolabel;
using core::Axis;

namespace {

const QString kSourceDir = PROTOLABEL_SOURCE_DIR;
using test::countLabel;
QString sampleImage() { return test::sampleImagePath(); }
QString sampleLabels() { return test::sampleLabelsPath(); }
constexpr uint16_t kLiver = 5, kSpleen = 1;

// The row of `value` in the label panel's table.
int rowOf(QTableWidget* table, uint16_t value) {
  for (int row = 0; row < table->rowCount(); ++row)
    if (table->item(row, 1)->text().toUInt() == value) return row;
  return -1;
}

// A click with the left button at voxel (u, v) of the view's current slice.
void clickAt(ui::SliceView* view, double u, double v) {
  QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->widgetFromSlice(u, v).toPoint());
}

}  // namespace

class GuiToolsTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir work_;
  std::unique_ptr<ui::MainWindow> openWindow(const QString& name) {
    ui::MainWindowOptions options;
    options.defaultModel = kSourceDir + "/resources/models/cow-lite.pt";
    options.recoveryFolder = work_.filePath("recovery-" + name);
    options.askQuestions = false;
    options.sampleImage = sampleImage();
    auto window = std::make_unique<ui::MainWindow>(options);
    window->resize(1400, 900);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowExposed(window.get()) || !QTest::qWaitForWindowActive(window.get())) return nullptr;
    return window;
  }
  std::unique_ptr<ui::MainWindow> openSample(const QString& name) {
    auto window = openWindow(name);
    if (!window) return nullptr;
    QSignalSpy loaded(window.get(), &ui::MainWindow::imageLoaded);
    window->openImage(sampleImage());
    if (!loaded.wait(60000)) return nullptr;
    return window;
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(work_.isValid());
  }

  void deletesALabelWithTheKeyAndUndoes() {
    auto w = openSample("delete");
    QVERIFY(w);
    ui::ViewerModel& m = w->model();
    QVERIFY(w->openLabels(sampleLabels()));
    const int64_t liver = countLabel(m.session().labels(), kLiver);
    QVERIFY(liver > 1000);
    QTableWidget* table = w->labelPanel()->table();
    const int row = rowOf(table, kLiver);
    QVERIFY(row >= 0);
    table->setFocus();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(row, 1)).center());
    QCOMPARE(m.activeLabel(), kLiver);
    QTest::keyClick(table, Qt::Key_Delete);
    QCOMPARE(countLabel(m.session().labels(), kLiver), int64_t(0));
    QCOMPARE(rowOf(table, kLiver), -1);
    QVERIFY(countLabel(m.session().labels(), kSpleen) > 0);
    QTest::keyClick(w.get(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(countLabel(m.session().labels(), kLiver), liver);
    QVERIFY(rowOf(table, kLiver) >= 0);
    // The button does the same.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(rowOf(table, kSpleen), 1)).center());
    QTest::mouseClick(w->labelPanel()->findChild<QPushButton*>("delete-label"), Qt::LeftButton);
    QCOMPARE(countLabel(m.session().labels(), kSpleen), int64_t(0));
  }

  void opacityGlobalAndPerLabel() {
    auto w = openSample("opacity");
    QVERIFY(w);
    ui::ViewerModel& m = w->model();
    QVERIFY(w->openLabels(sampleLabels()));
    ui::ToolsPanel* tools = w->toolsPanel();
    tools->labelOpacity()->setFocus();
    const double before = m.overlays().labelOpacity;
    QTest::keyClick(tools->labelOpacity(), Qt::Key_End);
    QCOMPARE(m.overlays().labelOpacity, 1.0);
    QTest::keyClick(tools->labelOpacity(), Qt::Key_Home);
    QCOMPARE(m.overlays().labelOpacity, 0.0);
    QVERIFY(before > 0 && before < 1);
    // A label's own opacity: typed into its row.
    QTableWidget* table = w->labelPanel()->table();
    QTableWidgetItem* opacity = table->item(rowOf(table, kLiver), 3);
    table->scrollToItem(opacity);
    table->editItem(opacity);
    QLineEdit* editor = table->viewport()->findChild<QLineEdit*>();
    QVERIFY2(editor && editor->isVisible(), "the opacity cell opens an editor");
    editor->selectAll();
    QTest::keyClicks(editor, "40");
    QCOMPARE(editor->text(), QString("40"));
    QTest::keyClick(editor, Qt::Key_Return);  // the delegate commits on the next event loop turn
    QTRY_COMPARE(m.session().table().find(kLiver)->opacity, 0.4);
    QCOMPARE(m.session().undoText(), std::string("Change label opacity"));
  }

  void pickerChoosesLabelsByName() {
    const core::LabelMap labels = core::readLabelMap(sampleLabels().toStdString());
    ui::LabelPickerDialog picker(labels.completeTable(), labels.histogram(), "Labels to segment");
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QCOMPARE(picker.list()->count(), int(labels.histogram().size()));
    QTest::keyClicks(picker.filter(), "kidney");
    int shown = 0;
    for (int i = 0; i < picker.list()->count(); ++i) shown += !picker.list()->item(i)->isHidden();
    QCOMPARE(shown, 2);
    QTest::mouseClick(picker.findChild<QPushButton*>("pick-all"), Qt::LeftButton);
    QCOMPARE(picker.chosen(), (std::set<uint16_t>{2, 3}));
    picker.filter()->clear();
    // Ticking the liver by its check box.
    for (int i = 0; i < picker.list()->count(); ++i) {
      QListWidgetItem* item = picker.list()->item(i);
      if (item->data(Qt::UserRole).toUInt() != kLiver) continue;
      QVERIFY(item->text().contains("liver"));
      const QRect r = picker.list()->visualItemRect(item);
      // A press first: item views take a double-click only on the item the last press was on.
      const QPoint at(r.center().x() + 40, r.center().y());
      QTest::mouseClick(picker.list()->viewport(), Qt::LeftButton, {}, at);
      QTest::mouseDClick(picker.list()->viewport(), Qt::LeftButton, {}, at);
    }
    QCOMPARE(picker.chosen(), (std::set<uint16_t>{2, 3, kLiver}));
  }

  void interpolatesBetweenTwoBrushedSlices() {
    auto w = openSample("interpolate");
    QVERIFY(w);
    ui::ViewerModel& m = w->model();
    const core::LabelMap truth = core::readLabelMap(sampleLabels().toStdString());
    const core::IndexBox liver = truth.extentOf(kLiver);
    const int64_t a = liver.lo[2] + 8, b = a + 10;
    m.session().copySupportSlice(truth, kLiver, a);
    m.session().copySupportSlice(truth, kLiver, b);
    m.notifyTableChanged();
    m.setActiveLabel(kLiver);
    w->panelTabs()->setCurrentWidget(w->toolsPanel());
    QTest::mouseClick(w->toolsPanel()->interpolateButton(), Qt::LeftButton);
    QVERIFY2(w->toolsPanel()->statusText().contains("Filled 9 slices"), qPrintable(w->toolsPanel()->statusText()));
    const core::Proposal* proposal = m.session().proposal();
    QVERIFY(proposal && proposal->pending.count(kLiver));
    QCOMPARE(w->segmentPanel()->proposalList()->count(), 1);
    int64_t both = 0, proposed = 0, actual = 0;
    for (int64_t k = a + 1; k < b; ++k)
      for (int64_t j = 0; j < truth.geometry().size[1]; ++j)
        for (int64_t i = 0; i < truth.geometry().size[0]; ++i) {
          const bool p = proposal->labels.at(i, j, k) == kLiver, t = truth.at(i, j, k) == kLiver;
          both += p && t, proposed += p, actual += t;
        }
    const double dice = 2.0 * double(both) / double(proposed + actual);
    qInfo("interpolation between slices %lld and %lld in the window: Dice %.3f", (long long)a, (long long)b, dice);
    QVERIFY2(dice >= 0.8, qPrintable(QString::number(dice)));
    // Accepted from the Segment tab, undone with Ctrl+Z.
    const int64_t before = countLabel(m.session().labels(), kLiver);
    QTest::mouseClick(w->segmentPanel()->findChild<QPushButton*>("accept-all"), Qt::LeftButton);
    QCOMPARE(countLabel(m.session().labels(), kLiver), before + proposed);
    QTest::keyClick(w.get(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(countLabel(m.session().labels(), kLiver), before);
  }

  void growsARegionFromAClickAndPaintsWithinAThreshold() {
    auto w = openSample("grow");
    QVERIFY(w);
    QVERIFY(QTest::qWaitForWindowActive(w.get()));
    ui::ViewerModel& m = w->model();
    const core::LabelMap truth = core::readLabelMap(sampleLabels().toStdString());
    const core::IndexBox e = truth.extentOf(kLiver);
    const int64_t k = (e.lo[2] + e.hi[2]) / 2, j = (e.lo[1] + e.hi[1]) / 2;
    int64_t first = -1, last = -1;
    for (int64_t i = e.lo[0]; i <= e.hi[0]; ++i)
      if (truth.at(i, j, k) == kLiver) (first < 0 ? first : last) = i, last = i;
    m.setSliceIndex(Axis::Z, k);
    m.setActiveLabel(kLiver);
    QTest::keyClick(w.get(), Qt::Key_G);
    QCOMPARE(m.tool(), ui::Tool::Grow);
    ui::SliceView* axial = w->sliceView(Axis::Z);
    clickAt(axial, double(first + last) / 2, double(j));
    const core::Proposal* proposal = m.session().proposal();
    QVERIFY2(proposal && proposal->pending.count(kLiver), qPrintable(w->toolsPanel()->statusText()));
    int64_t both = 0, proposed = 0, actual = 0;
    for (int64_t i = 0; i < truth.voxels().voxelCount(); ++i) {
      const bool p = proposal->labels.labelAtLinear(i) == kLiver, t = truth.labelAtLinear(i) == kLiver;
      both += p && t, proposed += p, actual += t;
    }
    const double dice = 2.0 * double(both) / double(proposed + actual);
    qInfo("region grow from a click in the liver, in the window: Dice %.3f (%lld voxels)", dice, (long long)proposed);
    QVERIFY2(dice >= 0.75, qPrintable(QString::number(dice)));
    QVERIFY(w->toolsPanel()->statusText().contains("mL"));

    // The threshold brush: a range that excludes the liver's intensities paints nothing of it.
    ui::ToolsPanel* tools = w->toolsPanel();
    tools->thresholdLow()->setValue(500);
    tools->thresholdHigh()->setValue(3000);
    QTest::mouseClick(tools->thresholdBrush(), Qt::LeftButton);
    QVERIFY(m.paintRange().has_value());
    m.setTool(ui::Tool::Brush);
    m.setActiveLabel(7);
    m.setBrush({4.0, false});
    const QPoint start = axial->widgetFromSlice(double(first + last) / 2 - 5, double(j)).toPoint();
    QTest::mousePress(axial, Qt::LeftButton, Qt::NoModifier, start);
    QTest::mouseMove(axial, axial->widgetFromSlice(double(first + last) / 2 + 5, double(j)).toPoint());
    QTest::mouseRelease(axial, Qt::LeftButton, Qt::NoModifier, axial->widgetFromSlice(double(first + last) / 2 + 5, double(j)).toPoint());
    QCOMPARE(countLabel(m.session().labels(), 7), int64_t(0));
    QTest::mouseClick(tools->thresholdBrush(), Qt::LeftButton);  // off: the same stroke paints
    QVERIFY(!m.paintRange().has_value());
    QTest::mousePress(axial, Qt::LeftButton, Qt::NoModifier, start);
    QTest::mouseRelease(axial, Qt::LeftButton, Qt::NoModifier, start);
    QVERIFY(countLabel(m.session().labels(), 7) > 0);

    // Grown from a brushed region: what label 7 has on this slice (inside the liver) seeds it.
    m.discardProposal(kLiver);
    QTest::mouseClick(tools->growFromPaintedButton(), Qt::LeftButton);
    const core::Proposal* fromPainted = m.session().proposal();
    QVERIFY2(fromPainted && fromPainted->pending.count(7), qPrintable(tools->statusText()));
    both = proposed = 0;
    for (int64_t i = 0; i < truth.voxels().voxelCount(); ++i) {
      const bool p = fromPainted->labels.labelAtLinear(i) == 7, t = truth.labelAtLinear(i) == kLiver;
      both += p && t, proposed += p;
    }
    const double diceFromPainted = 2.0 * double(both) / double(proposed + actual);
    qInfo("region grow from a brushed disc in the liver: Dice %.3f", diceFromPainted);
    QVERIFY2(diceFromPainted >= 0.7, qPrintable(QString::number(diceFromPainted)));  // measured 0.76
  }

  void workspaceRoundTripRestoresLabelsTableAndExamples() {
    const QString manifest = work_.filePath("case.protolabel");
    std::vector<uint16_t> saved;
    std::map<uint16_t, std::set<int64_t>> examples;
    {
      auto w = openSample("workspace-save");
      QVERIFY(w);
      ui::ViewerModel& m = w->model();
      const core::LabelMap truth = core::readLabelMap(sampleLabels().toStdString());
      m.session().copyMiddleSupportSlice(truth, kLiver);
      m.session().copyMiddleSupportSlice(truth, kSpleen);
      core::LabelTable table = m.session().table();
      table.find(kLiver)->name = "liver (reviewed)";
      m.changeTable(table, "Rename label");
      m.notifySupportsChanged();
      m.setWindow(core::Window{123, 45});
      m.setSliceIndex(Axis::Z, 33);
      w->panelTabs()->setCurrentWidget(w->segmentPanel());
      QVERIFY(w->saveWorkspaceTo(manifest));
      QVERIFY(!m.session().modified());
      examples = m.session().supports();
      for (int64_t i = 0; i < m.session().labels().voxels().voxelCount(); ++i) saved.push_back(m.session().labels().labelAtLinear(i));
    }
    auto w = openWindow("workspace-open");
    QVERIFY(w);
    // The start page lists the workspace; activating it reopens everything.
    QListWidget* recent = w->startPage()->recentWorkspaceList();
    QVERIFY(recent->count() >= 1);
    QCOMPARE(recent->item(0)->data(Qt::UserRole).toString(), manifest);
    QSignalSpy loaded(w.get(), &ui::MainWindow::imageLoaded);
    QTest::mouseClick(recent->viewport(), Qt::LeftButton, {}, recent->visualItemRect(recent->item(0)).center());
    QTest::mouseDClick(recent->viewport(), Qt::LeftButton, {}, recent->visualItemRect(recent->item(0)).center());
    QVERIFY2(loaded.wait(60000), qPrintable(w->lastMessage()));
    ui::ViewerModel& m = w->model();
    QCOMPARE(QString::fromStdString(m.session().sourcePath()), sampleImage());
    std::vector<uint16_t> reopened;
    for (int64_t i = 0; i < m.session().labels().voxels().voxelCount(); ++i) reopened.push_back(m.session().labels().labelAtLinear(i));
    QVERIFY(reopened == saved);
    QCOMPARE(QString::fromStdString(m.session().table().find(kLiver)->name), QString("liver (reviewed)"));
    QVERIFY(m.session().supports() == examples);
    QCOMPARE(w->segmentPanel()->supportList()->count(), 2);
    QCOMPARE(m.window().width, 123.0);
    QCOMPARE(m.sliceIndex(Axis::Z), int64_t(33));
    QCOMPARE(w->panelTabs()->currentWidget(), static_cast<QWidget*>(w->segmentPanel()));
    QCOMPARE(w->workspacePath(), manifest);
    QVERIFY(!m.session().modified());
    // A damaged workspace is refused with a message and changes nothing.
    QFile bad(work_.filePath("bad.protolabel"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"format\": \"protolabel-workspace\"");
    bad.close();
    QVERIFY(!w->openWorkspace(bad.fileName()));
    QVERIFY(w->lastMessage().contains("workspace"));
    QVERIFY(m.session().supports() == examples);
  }

  void theSegmentTabSetsTheActiveLabelsSliceRange() {
    auto w = openSample("range");
    QVERIFY(w);
    ui::ViewerModel& m = w->model();
    ui::SegmentPanel* panel = w->segmentPanel();
    w->panelTabs()->setCurrentWidget(panel);
    m.setActiveLabel(kLiver);
    panel->sliceRangeFirst()->setValue(70);  // slices are numbered from 1 in the viewer
    panel->sliceRangeLast()->setValue(100);
    QVERIFY(!w->runner()->options().sliceRanges.count(kLiver));  // not until the box is ticked
    QTest::mouseClick(panel->sliceRangeBox(), Qt::LeftButton);
    QVERIFY(w->runner()->options().sliceRanges.count(kLiver));
    QCOMPARE(w->runner()->options().sliceRanges.at(kLiver), (std::pair<int64_t, int64_t>{69, 99}));
    // Another label shows its own (none); back on the liver, its range is shown again.
    m.setActiveLabel(kSpleen);
    QVERIFY(!panel->sliceRangeBox()->isChecked());
    m.setActiveLabel(kLiver);
    QVERIFY(panel->sliceRangeBox()->isChecked());
    QCOMPARE(panel->sliceRangeLast()->value(), 100);
    QTest::mouseClick(panel->sliceRangeBox(), Qt::LeftButton);
    QVERIFY(!w->runner()->options().sliceRanges.count(kLiver));
  }

  void exportNamesItsFilesAndTheWindowBoxSaysCustom() {
    auto w = openSample("export");
    QVERIFY(w);
    ui::ViewerModel& m = w->model();
    QVERIFY(w->openLabels(sampleLabels()));
    QDir folder(work_.filePath("exported"));
    QVERIFY(folder.mkpath("."));
    core::ExportRequest request;
    request.folder = folder.path().toStdString();
    request.baseName = "case2";
    request.segNrrd = true;
    const QStringList written = w->exportTo(request);
    QVERIFY(written.size() >= 2);  // the NIfTI keeps its names in a .label.txt beside it
    QVERIFY2(w->lastMessage().contains("case2.nii.gz") && w->lastMessage().contains("case2.seg.nrrd"), qPrintable(w->lastMessage()));
    QCOMPARE(QSettings().value("folders/export").toString(), folder.path());

    // A right-drag changes the window: the preset box says "Custom"; choosing a preset again shows it.
    QComboBox* presets = w->windowPresetBox();
    QVERIFY(!presets->currentText().startsWith("Custom"));
    ui::SliceView* axial = w->sliceView(Axis::Z);
    const QPoint centre = axial->rect().center();
    QTest::mousePress(axial, Qt::RightButton, Qt::NoModifier, centre);
    QTest::mouseMove(axial, centre + QPoint(40, 25));
    QTest::mouseRelease(axial, Qt::RightButton, Qt::NoModifier, centre + QPoint(40, 25));
    QVERIFY2(presets->currentText().startsWith("Custom"), qPrintable(presets->currentText()));
    w->applyWindowPreset(0);
    QCOMPARE(presets->currentIndex(), 0);
    QCOMPARE(presets->count(), int(m.windowPresets().size()));
  }
};

QTEST_MAIN(GuiToolsTest)
#include "test_gui_tools.moc"
