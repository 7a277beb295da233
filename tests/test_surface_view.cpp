// The 3D view renders label surfaces in a real OpenGL context (run under Xvfb with GLX): labels show
// in their table colours, in an anterior view, respond to visibility and mouse rotation; the updater
// delivers surfaces of edited maps from its worker thread. The engine's pending proposal shows as
// translucent surfaces that follow the session; the orientation marker names the patient directions;
// resetting the camera brings every surface into view.
#include <QtTest>

#include <cmath>
#include <set>

#include <QToolButton>

#include "ProposalSurfaceFeed.h"
#include "SurfaceUpdater.h"
#include "TestSupport.h"
#include "protolabel/core/LabelMap.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/core/surface/LabelSurfaces.h"
#include "protolabel/ui/SurfaceView.h"
#include "protolabel/ui/ViewerModel.h"

using namespace protolabel;
using core::LabelMap;

namespace {

constexpr uint16_t kSpleen = 1, kRightKidney = 2, kLeftKidney = 3, kLiver = 5;

std::string samplePath() { return std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct_organs.nii.gz"; }
std::string sampleImagePath() { return std::string(PROTOLABEL_SOURCE_DIR) + "/resources/sample/abdomen_ct.nii.gz"; }

bool isRed(QRgb c) { return qRed(c) > 60 && qRed(c) > 2 * qGreen(c) && qRed(c) > 2 * qBlue(c); }
bool isBlue(QRgb c) { return qBlue(c) > 60 && qBlue(c) > 2 * qRed(c) && qBlue(c) > 2 * qGreen(c); }
bool isGreen(QRgb c) { return qGreen(c) > 60 && qGreen(c) > 2 * qRed(c) && qGreen(c) > 2 * qBlue(c); }
// Dimmer tints than isGreen/isBlue: a translucent surface over the dark background.
bool greenish(QRgb c) { return qGreen(c) > qRed(c) + 15 && qGreen(c) > qBlue(c) + 15; }
bool bluish(QRgb c) { return qBlue(c) > qRed(c) + 15 && qBlue(c) > qGreen(c) + 15; }
// Grey and white: the orientation marker's cube and letters.
bool neutralBright(QRgb c) {
  return qRed(c) > 60 && std::abs(qRed(c) - qGreen(c)) < 12 && std::abs(qGreen(c) - qBlue(c)) < 12;
}

struct Pixels {
  int count = 0;
  double x = 0, y = 0;  // centroid
};

template <class Pred>
Pixels find(const QImage& image, Pred pred) {
  Pixels p;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (pred(image.pixel(x, y))) {
        ++p.count;
        p.x += x;
        p.y += y;
      }
  if (p.count) {
    p.x /= p.count;
    p.y /= p.count;
  }
  return p;
}

// Pixels that are not the dark background gradient.
int foregroundCount(const QImage& image) {
  return find(image, [](QRgb c) { return qRed(c) + qGreen(c) + qBlue(c) > 120; }).count;
}

int differingPixels(const QImage& a, const QImage& b) {
  if (a.size() != b.size()) return a.width() * a.height();
  int n = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x)
      if (a.pixel(x, y) != b.pixel(x, y)) ++n;
  return n;
}

// Physical centroid of a label's voxels.
core::Vec3 centroid(const LabelMap& labels, uint16_t value) {
  core::Vec3 sum{0, 0, 0};
  int64_t n = 0;
  const core::Size3& s = labels.geometry().size;
  for (int64_t k = 0; k < s[2]; ++k)
    for (int64_t j = 0; j < s[1]; ++j)
      for (int64_t i = 0; i < s[0]; ++i)
        if (labels.at(i, j, k) == value) {
          const core::Vec3 p = labels.geometry().indexToPhysical({double(i), double(j), double(k)});
          for (int a = 0; a < 3; ++a) sum[a] += p[a];
          ++n;
        }
  for (double& x : sum) x /= double(n);
  return sum;
}

QImage grab(ui::SurfaceView& view) { return view.grabFramebuffer().convertToFormat(QImage::Format_RGB32); }

double meanGreen(const QImage& image) {
  double sum = 0;
  int n = 0;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (greenish(image.pixel(x, y))) sum += qGreen(image.pixel(x, y)), ++n;
  return n ? sum / n : 0;
}

// The lower-left corner where the orientation marker draws (a little more than its 18 %).
QRect markerCorner(const QImage& image) {
  const int side = int(image.width() * 0.2);
  return QRect(0, image.height() - side, side, side);
}

int countIn(const QImage& image, const QRect& area, bool (*pred)(QRgb)) {
  int n = 0;
  for (int y = area.top(); y <= area.bottom(); ++y)
    for (int x = area.left(); x <= area.right(); ++x) n += pred(image.pixel(x, y));
  return n;
}

// Bounding box of the surfaces' pixels, the marker's corner left out.
QRect foregroundBox(const QImage& image) {
  const QRect corner = markerCorner(image);
  QRect box;
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      const QRgb c = image.pixel(x, y);
      if (!corner.contains(x, y) && qRed(c) + qGreen(c) + qBlue(c) > 120) box |= QRect(x, y, 1, 1);
    }
  return box;
}

void zoomIn(ui::SurfaceView& view, int clicks) {
  const QPointF centre(view.width() / 2.0, view.height() / 2.0);
  QWheelEvent wheel(centre, view.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  for (int i = 0; i < clicks; ++i) QApplication::sendEvent(&view, &wheel);
}

std::vector<core::LabelSurface> only(const std::vector<core::LabelSurface>& all, std::set<uint16_t> values) {
  std::vector<core::LabelSurface> kept;
  for (const core::LabelSurface& s : all)
    if (values.count(s.value)) kept.push_back(s);
  return kept;
}

}  // namespace

class SurfaceViewTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    sample_ = core::readLabelMap(samplePath());
    table_ = sample_.completeTable();
    // Distinct hues so each organ can be found in the picture.
    for (core::LabelEntry entry : table_.entries()) {
      entry.color = {200, 200, 200};
      if (entry.value == kLiver) entry.color = {230, 30, 30};
      if (entry.value == kSpleen) entry.color = {30, 30, 230};
      if (entry.value == kRightKidney || entry.value == kLeftKidney) entry.color = {30, 220, 30};
      table_.set(entry);
    }
    QElapsedTimer timer;
    timer.start();
    surfaces_ = core::extractLabelSurfaces(sample_, {1, 2, 3, 4, 5, 6, 7});
    qInfo("7 abdominal organ surfaces extracted in %lld ms", static_cast<long long>(timer.elapsed()));
    QCOMPARE(surfaces_.size(), std::size_t(7));
  }

  void showsLabelsInTheirColoursInAnAnteriorView() {
    ui::SurfaceView view;
    view.resize(480, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    const QImage empty = grab(view);
    QCOMPARE(foregroundCount(empty), 0);

    view.setSurfaces(surfaces_, table_);
    QElapsedTimer timer;
    timer.start();
    const QImage image = grab(view);
    qInfo("first frame with %zu surfaces: %lld ms", surfaces_.size(), static_cast<long long>(timer.elapsed()));
    const int pixels = image.width() * image.height();
    QVERIFY2(foregroundCount(image) > pixels / 20, "the surfaces cover little of the view");
    const Pixels liver = find(image, isRed), spleen = find(image, isBlue), kidneys = find(image, isGreen);
    qInfo("liver %d px at (%.0f, %.0f), spleen %d px at (%.0f, %.0f), kidneys %d px at (%.0f, %.0f)", liver.count,
          liver.x, liver.y, spleen.count, spleen.x, spleen.y, kidneys.count, kidneys.x, kidneys.y);
    QVERIFY(liver.count > pixels / 50);
    QVERIFY(spleen.count > 0);

    // Anterior view: the patient's left (+x in LPS) on the viewer's right, superior (+z) up.
    const core::Vec3 liverAt = centroid(sample_, kLiver), spleenAt = centroid(sample_, kSpleen);
    QVERIFY(spleenAt[0] > liverAt[0]);  // the spleen lies to the patient's left of the liver
    QVERIFY(spleen.x > liver.x);
    const core::Vec3 rightKidneyAt = centroid(sample_, kRightKidney);
    QVERIFY(liverAt[2] > rightKidneyAt[2]);  // the liver lies above the kidneys
    QVERIFY(kidneys.count == 0 || liver.y < kidneys.y);

    // Hiding the liver removes its colour from the picture.
    view.setLabelVisible(kLiver, false);
    const QImage hidden = grab(view);
    QVERIFY(differingPixels(image, hidden) > pixels / 50);
    QCOMPARE(find(hidden, isRed).count, 0);
    QVERIFY(view.shownLabels().size() == 6);
    view.setLabelVisible(kLiver, true);
    QVERIFY(differingPixels(image, grab(view)) == 0);

    // A left drag rotates the camera.
    const QPoint centre(view.width() / 2, view.height() / 2);
    QTest::mousePress(&view, Qt::LeftButton, {}, centre);
    for (int step = 1; step <= 5; ++step) QTest::mouseMove(&view, centre + QPoint(20 * step, 4 * step));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, centre + QPoint(100, 20));
    const QImage rotated = grab(view);
    QVERIFY2(differingPixels(image, rotated) > pixels / 50, "dragging did not rotate the view");

    // The wheel zooms: the surfaces cover more of the view.
    view.resetCamera();
    const QImage reset = grab(view);
    QVERIFY(differingPixels(image, reset) == 0);
    QWheelEvent wheel(QPointF(centre), view.mapToGlobal(QPointF(centre)), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    for (int i = 0; i < 3; ++i) QApplication::sendEvent(&view, &wheel);
    QVERIFY(foregroundCount(grab(view)) > foregroundCount(reset));

    // Table changes restyle the surfaces in place: a translucent liver shows more of what lies
    // behind it; a hidden one is not drawn.
    view.resetCamera();
    core::LabelTable restyled = table_;
    core::LabelEntry liverEntry = *restyled.find(kLiver);
    liverEntry.opacity = 0.3;
    restyled.set(liverEntry);
    view.applyLabelTable(restyled);
    const QImage translucent = grab(view);
    QVERIFY(differingPixels(image, translucent) > pixels / 50);
    QVERIFY(foregroundCount(translucent) > pixels / 20);
    const int hiddenBehindLiver = find(translucent, [](QRgb c) { return qGreen(c) > qRed(c) && qGreen(c) > 60; }).count;
    QVERIFY(hiddenBehindLiver > find(image, [](QRgb c) { return qGreen(c) > qRed(c) && qGreen(c) > 60; }).count);
    liverEntry.visible = false;
    restyled.set(liverEntry);
    view.applyLabelTable(restyled);
    QCOMPARE(find(grab(view), isRed).count, 0);
  }

  void discardedRequestsAreNeverDelivered() {
    ui::SurfaceUpdater updater;
    QSignalSpy ready(&updater, &ui::SurfaceUpdater::surfacesReady);
    updater.request(sample_, {1, 2, 3, 4, 5, 6, 7});
    updater.request(sample_, {kLiver});
    QVERIFY(updater.isBusy());
    updater.discard();  // the running one and the waiting one
    const quint64 wanted = updater.request(sample_, {kSpleen});
    QVERIFY(ready.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(!updater.isBusy(), 20000);
    QTest::qWait(100);
    QCOMPARE(ready.count(), 1);
    QCOMPARE(ready.at(0).at(1).value<quint64>(), wanted);
    const auto surfaces = ready.at(0).at(0).value<std::vector<core::LabelSurface>>();
    QCOMPARE(surfaces.size(), std::size_t(1));
    QCOMPARE(surfaces[0].value, kSpleen);
  }

  void updaterDeliversSurfacesOfEditedMaps() {
    LabelMap labels = sample_;
    uint16_t added = 1;  // a value the sample does not use
    while (labels.histogram().count(added)) ++added;
    // An edit: a new label, a 6-voxel cube.
    const core::Size3& s = labels.geometry().size;
    const int64_t ci = s[0] / 2, cj = s[1] / 2, ck = s[2] / 2;
    for (int64_t k = ck; k < ck + 6; ++k)
      for (int64_t j = cj; j < cj + 6; ++j)
        for (int64_t i = ci; i < ci + 6; ++i) labels.set(i, j, k, added);

    ui::SurfaceUpdater updater;
    QSignalSpy ready(&updater, &ui::SurfaceUpdater::surfacesReady);
    QVERIFY(ready.isValid());
    updater.request(labels, {kLiver, added});
    // Later edits do not reach the extraction already requested.
    for (int64_t k = ck; k < ck + 6; ++k)
      for (int64_t j = cj; j < cj + 6; ++j)
        for (int64_t i = ci; i < ci + 6; ++i) labels.set(i, j, k, 0);
    QVERIFY(updater.isBusy());
    QVERIFY(ready.wait(20000));
    auto surfaces = ready.takeFirst().at(0).value<std::vector<core::LabelSurface>>();
    QCOMPARE(surfaces.size(), std::size_t(2));
    QCOMPARE(surfaces[1].value, added);

    // Requests made while one runs are coalesced: the first runs, the middle one is dropped, the
    // latest runs next.
    updater.request(labels, {kLiver});
    updater.request(labels, {kSpleen, kLiver});
    updater.request(labels, {added, kRightKidney});
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 2, 20000);
    QTest::qWait(200);
    QCOMPARE(ready.count(), 2);
    QVERIFY(!updater.isBusy());
    const auto first = ready.at(0).at(0).value<std::vector<core::LabelSurface>>();
    const auto latest = ready.at(1).at(0).value<std::vector<core::LabelSurface>>();
    QCOMPARE(first.size(), std::size_t(1));
    QCOMPARE(first[0].value, kLiver);
    QCOMPARE(latest.size(), std::size_t(1));  // the new label was erased before these requests
    QCOMPARE(latest[0].value, kRightKidney);

    // The delivered surfaces go straight into a view.
    ui::SurfaceView view;
    view.resize(320, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSurfaces(latest, table_);
    QVERIFY(find(grab(view), isGreen).count > 0);
  }

  void proposalSurfacesAreTranslucentBesideTheLabels() {
    ui::SurfaceView view;
    view.resize(480, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto kidneys = only(surfaces_, {kRightKidney, kLeftKidney});

    // A proposal alone: in the view, and its first surfaces place the camera.
    view.setProposalSurfaces(kidneys, table_);
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kRightKidney, kLeftKidney}));
    QVERIFY(view.shownLabels().empty());
    QVERIFY(view.sceneInView());
    const QImage proposal = grab(view);
    const int proposalPixels = find(proposal, greenish).count;
    QVERIFY2(proposalPixels > proposal.width() * proposal.height() / 100, qPrintable(QString::number(proposalPixels)));

    // Gone when the proposal goes.
    view.setProposalSurfaces({}, table_);
    QVERIFY(view.shownProposalLabels().empty());
    QCOMPARE(foregroundCount(grab(view)), 0);

    // The same kidneys as accepted labels: the same place in the same view, but opaque, so brighter.
    view.setSurfaces(kidneys, table_);
    const QImage accepted = grab(view);
    const int acceptedPixels = find(accepted, greenish).count;
    QVERIFY(std::abs(acceptedPixels - proposalPixels) < acceptedPixels / 5);
    qInfo("mean green: proposal %.0f, accepted %.0f", meanGreen(proposal), meanGreen(accepted));
    QVERIFY(meanGreen(proposal) < 0.75 * meanGreen(accepted));

    // Labels and a proposal together; the spleen's proposal leaves at once when it is discarded.
    view.setProposalSurfaces(only(surfaces_, {kSpleen, kLiver}), table_);
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kSpleen, kLiver}));
    QCOMPARE(view.shownLabels(), (std::vector<uint16_t>{kRightKidney, kLeftKidney}));
    QVERIFY(find(grab(view), bluish).count > 0);
    view.keepProposalLabels({kLiver});
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kLiver}));
    QCOMPARE(find(grab(view), bluish).count, 0);
    // Hidden with the "Show segmentation result" overlay switch.
    view.setProposalVisible(false);
    QVERIFY(view.shownProposalLabels().empty());
    view.setProposalVisible(true);
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kLiver}));
  }

  void proposalSurfacesFollowTheSession() {
    ui::ViewerModel model;
    model.setImage(core::readImage(sampleImagePath()).volume, sampleImagePath());
    ui::SurfaceView view;
    view.resize(320, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    ui::ProposalSurfaceFeed feed(&model, &view);
    QSignalSpy shown(&feed, &ui::ProposalSurfaceFeed::proposalSurfacesShown);
    auto proposalOf = [&](std::set<uint16_t> pending) {
      core::Proposal p;
      p.labels = LabelMap(sample_.voxels().convertedTo(core::PixelType::UInt16), sample_.table());
      p.uncertainty.assign(std::size_t(sample_.voxels().voxelCount()), 0);
      p.sliceUncertainty.assign(std::size_t(sample_.geometry().size[2]), -1.0);
      p.pending = std::move(pending);
      return p;
    };

    model.setProposal(proposalOf({kSpleen, kLiver}));
    QVERIFY(shown.wait(20000));
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kSpleen, kLiver}));
    QVERIFY(view.sceneInView());

    // Discarded: out of the view at once, not after the next mesh.
    model.discardProposal(kSpleen);
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kLiver}));
    QVERIFY(shown.wait(20000));
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kLiver}));
    // Accepted: the proposal surface goes (the label's own surface comes with the labels).
    model.acceptProposal(kLiver);
    QVERIFY(view.shownProposalLabels().empty());
    QVERIFY(model.session().labels().histogram().count(kLiver));

    // A proposal withdrawn while it is being meshed never shows up late.
    const int before = int(shown.count());
    model.setProposal(proposalOf({kSpleen, kRightKidney, kLeftKidney}));
    feed.flush();  // the worker is meshing now, and its result cannot arrive before the event loop runs
    QVERIFY(feed.isBusy());
    model.discardProposal(kSpleen);
    model.discardProposal(kRightKidney);
    model.discardProposal(kLeftKidney);
    QTRY_VERIFY_WITH_TIMEOUT(!feed.isBusy(), 20000);
    QTest::qWait(100);
    QCOMPARE(int(shown.count()), before);
    QVERIFY(view.shownProposalLabels().empty());

    // A new image clears the proposal and its surfaces.
    model.setProposal(proposalOf({kLiver}));
    QVERIFY(shown.wait(20000));
    QCOMPARE(view.shownProposalLabels(), (std::vector<uint16_t>{kLiver}));
    model.setImage(core::readImage(sampleImagePath()).volume, sampleImagePath());
    QVERIFY(view.shownProposalLabels().empty());
  }

  void orientationMarkerNamesThePatientDirections() {
    ui::SurfaceView view;
    view.resize(480, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.orientationMarkerShown());  // nothing to orient yet
    const QImage empty = grab(view);
    QCOMPARE(countIn(empty, markerCorner(empty), neutralBright), 0);

    view.setSurfaces(surfaces_, table_);
    QVERIFY(view.orientationMarkerShown());
    // LPS scene: +x left, +y posterior, +z superior.
    QCOMPARE(view.orientationMarkerLabels(), (std::vector<std::string>{"L", "R", "P", "A", "S", "I"}));
    const QImage image = grab(view);
    const int marker = countIn(image, markerCorner(image), neutralBright);
    QVERIFY2(marker > 100, qPrintable(QString::number(marker)));
    // It turns with the camera.
    const QPoint centre(view.width() / 2, view.height() / 2);
    QTest::mousePress(&view, Qt::LeftButton, {}, centre);
    for (int step = 1; step <= 5; ++step) QTest::mouseMove(&view, centre + QPoint(20 * step, 0));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, centre + QPoint(100, 0));
    const QImage rotated = grab(view);
    const QRect corner = markerCorner(image);
    QVERIFY(differingPixels(image.copy(corner), rotated.copy(corner)) > 50);
    view.clearScene();
    QVERIFY(!view.orientationMarkerShown());
  }

  void resetCameraBringsEverythingIntoView() {
    ui::SurfaceView view;
    view.resize(480, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSurfaces(surfaces_, table_);
    QVERIFY(view.sceneInView());
    const QImage placed = grab(view);
    const QRect inside = placed.rect().adjusted(1, 1, -1, -1);
    QVERIFY(inside.contains(foregroundBox(placed)));

    // Zoomed in and turned: parts of the scene leave the view.
    zoomIn(view, 12);
    QVERIFY(!view.sceneInView());
    QVERIFY(!inside.contains(foregroundBox(grab(view))));
    // The view's button brings the anterior view of everything back.
    QVERIFY(view.resetCameraButton()->isVisible());
    QTest::mouseClick(view.resetCameraButton(), Qt::LeftButton);
    QVERIFY(view.sceneInView());
    QCOMPARE(differingPixels(placed, grab(view)), 0);
    // So does R.
    zoomIn(view, 12);
    QVERIFY(!view.sceneInView());
    QTest::keyClick(&view, Qt::Key_R);
    QVERIFY(view.sceneInView());

    // New surfaces of the same image keep the user's view ...
    zoomIn(view, 12);
    view.setSurfaces(only(surfaces_, {kSpleen}), table_);
    QVERIFY(!view.sceneInView());
    // ... but after a new image the first surfaces place the camera: never zoomed in on nothing.
    view.clearScene();
    view.setSurfaces(only(surfaces_, {kSpleen}), table_);
    QVERIFY(view.sceneInView());
    QVERIFY(inside.contains(foregroundBox(grab(view))));
  }

  void destroyingTheUpdaterWhileBusyIsSafe() {
    auto updater = std::make_unique<ui::SurfaceUpdater>();
    updater->request(sample_, {1, 2, 3, 4, 5, 6, 7});
    updater->request(sample_, {5});
    updater.reset();  // cancels and waits; no signal, no crash
  }

 private:
  LabelMap sample_;
  core::LabelTable table_;
  std::vector<core::LabelSurface> surfaces_;
};

QTEST_MAIN(SurfaceViewTest)
#include "test_surface_view.moc"
