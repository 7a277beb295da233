#include "GuiMain.h"

#include <QApplication>
#include <QFileInfo>
#include <QTimer>
#include <iostream>

#include "cli/ModelLocation.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/ui/GuardedApplication.h"
#include "protolabel/ui/MainWindow.h"
#include "protolabel/ui/SegmentPanel.h"
#include "protolabel/ui/SegmentationRunner.h"

namespace protolabel::app {

namespace {

// The screenshot for the README: the sample with liver, spleen and kidneys segmented from one
// example slice each; liver and spleen accepted (fills), the kidneys still pending (dashed outlines).
void stageSampleSegmentation(ui::MainWindow& window, const QString& out) {
  const SamplePaths sample = samplePaths();
  const core::LabelMap truth = core::readLabelMap(sample.labels);
  const auto extents = truth.extents();
  ui::ViewerModel& model = window.model();
  for (uint16_t organ : {5, 1, 2, 3}) model.session().copyMiddleSupportSlice(truth, organ);
  model.notifyTableChanged();
  model.notifySupportsChanged();
  QObject::connect(window.runner(), &ui::SegmentationRunner::finished, &window, [&window, &model, extents, out] {
    QTimer::singleShot(0, &window, [&window, &model, extents, out] {
      model.acceptProposal(5);
      model.acceptProposal(1);
      const auto kidney = extents.at(2);
      model.setCursor({(kidney.lo[0] + kidney.hi[0]) / 2, (kidney.lo[1] + kidney.hi[1]) / 2, (kidney.lo[2] + kidney.hi[2]) / 2 + 3});
      QObject::connect(&window, &ui::MainWindow::surfacesUpdated, &window, [&window, out] {
        QTimer::singleShot(300, &window, [&window, out] {
          const bool ok = window.grab().save(out);
          std::cout << (ok ? "Wrote " : "Could not write ") << out.toStdString() << "\n";
          QApplication::exit(ok ? 0 : 1);
        });
      }, Qt::SingleShotConnection);
    });
  });
  QObject::connect(window.runner(), &ui::SegmentationRunner::failed, &window, [](const QString& message) {
    std::cerr << "Segmentation failed: " << message.toStdString() << "\n";
    QApplication::exit(1);
  });
  window.segmentPanel()->runSegmentation();
}

// --segment: every labelled slice of the opened labels an example, segmented as by the Segment
// button, every proposal accepted, the window saved to `out`; measures what the viewer holds for a
// scan (`/usr/bin/time -v`).
void segmentOpenedLabels(ui::MainWindow& window, const QString& out) {
  window.model().session().useLabelledSlicesAsExamples();
  window.model().notifySupportsChanged();
  QObject::connect(window.runner(), &ui::SegmentationRunner::finished, &window,
                   [&window, out](const core::Proposal& proposal, double seconds) {
    const std::size_t structures = proposal.pending.size();
    QTimer::singleShot(0, &window, [&window, out, structures, seconds] {
      window.segmentPanel()->acceptAll();
      const bool ok = window.grab().save(out);
      std::cout << "Segmented and accepted " << structures << " structure(s) in " << int(seconds + 0.5) << " s; "
                << (ok ? "wrote " : "could not write ") << out.toStdString() << "\n";
      QApplication::exit(ok ? 0 : 1);
    });
  });
  QObject::connect(window.runner(), &ui::SegmentationRunner::failed, &window, [](const QString& message) {
    std::cerr << "Segmentation failed: " << message.toStdString() << "\n";
    QApplication::exit(1);
  });
  window.segmentPanel()->runSegmentation();
  if (!window.runner()->running()) {
    std::cerr << "Segmentation could not start: " << window.lastMessage().toStdString() << "\n";
    QApplication::exit(1);
  }
}

}  // namespace

int runGui(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
      qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    std::cerr << "protolabel: no display to open the window on. Headless tools run without one: try\n"
                 "  protolabel demo        (segments the bundled sample and exports the labels)\n"
                 "  protolabel help        (every command)\n";
    return 2;
  }
  ui::GuardedApplication app(argc, argv);
  QApplication::setApplicationName("ProtoLabel");
  QApplication::setOrganizationName("ProtoLabel");
  QString screenshot;
  bool segment = false;
  QStringList files;
  const QStringList args = app.arguments().mid(1);
  for (int i = 0; i < args.size(); ++i) {
    if (args[i] == "--screenshot" && i + 1 < args.size()) screenshot = args[++i];
    else if (args[i] == "--segment") segment = true;
    else if (!args[i].startsWith("--")) files << args[i];
    else {
      std::cerr << "protolabel: unknown option " << args[i].toStdString() << "\n";
      return 2;
    }
  }
  if (segment && (screenshot.isEmpty() || files.size() != 2)) {
    std::cerr << "protolabel: --segment needs an image, its labels and --screenshot FILE\n";
    return 2;
  }
  ui::MainWindowOptions options;
  options.defaultModel = QString::fromStdString(defaultModelPath());
  options.recoveryFolder = qEnvironmentVariable("PROTOLABEL_RECOVERY_DIR");
  options.askQuestions = screenshot.isEmpty();
  const SamplePaths sample = samplePaths();
  options.sampleImage = QString::fromStdString(sample.image);
  options.sampleExamples = QString::fromStdString(sample.examples);
  options.modelCard = QString::fromStdString(modelCardPath());
  options.version = PROTOLABEL_VERSION;
  ui::MainWindow window(options);
  app.setFailureHandler([&window](const QString& message) { window.showFailure(message); });
  window.resize(1500, 950);
  window.show();

  if (!screenshot.isEmpty()) {
    const bool sample = files.isEmpty();
    if (sample) files << QString::fromStdString(samplePaths().image);
    QObject::connect(&window, &ui::MainWindow::imageLoadFailed, &app, [] { QApplication::exit(1); });
    QObject::connect(&window, &ui::MainWindow::imageLoaded, &window, [&window, sample, segment, screenshot] {
      if (sample) return stageSampleSegmentation(window, screenshot);
      if (segment) return segmentOpenedLabels(window, screenshot);
      QTimer::singleShot(1500, &window, [&window, screenshot] {
        QApplication::exit(window.grab().save(screenshot) ? 0 : 1);
      });
    }, Qt::SingleShotConnection);
    window.openImage(files[0], files.size() > 1 ? files[1] : QString());
    return app.exec();
  }
  if (!files.isEmpty())
    window.openImage(files[0], files.size() > 1 ? files[1] : QString());
  else
    window.offerRecovery();
  return app.exec();
}

}  // namespace protolabel::app
