// protolabel: with no subcommand the desktop application; with one, a headless tool.
#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>

#include <csignal>

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "gui/GuiMain.h"
#include "protolabel/core/Error.h"
#include "protolabel/inference/Types.h"

namespace {

const char* kUsage =
    "Usage: protolabel [IMAGE [LABELS]]              Open the desktop application\n"
    "       protolabel --version                     Print the version\n"
    "       protolabel --screenshot OUT.png [IMAGE]  Render the window (the sample, segmented) to a PNG\n"
    "       protolabel <command> [arguments]         Run a headless tool (no display needed)\n"
    "\n"
    "Commands:\n"
    "  info PATH [--series N] [--json]     Describe an image file or DICOM folder (series, geometry, range)\n"
    "  info --runtime [--json]             Show the LibTorch/Qt runtime and devices\n"
    "  info --model FILE [--json]          Show a model file's preset, size and training summary\n"
    "  convert IN OUT [--series N] [--labels]\n"
    "                                      Convert an image or label file (.nii[.gz] .nrrd .seg.nrrd .nhdr .mha .mhd)\n"
    "  convert LABELS OUT.dcm --reference-dicom DIR [--series N] [--algorithm manual|semiautomatic|automatic]\n"
    "                                      Write labels as a DICOM Segmentation referencing the series in DIR\n"
    "  convert SEG.dcm OUT [--reference-dicom DIR [--series N]]\n"
    "                                      Read a DICOM Segmentation onto DIR's grid (else its own) into a label file\n"
    "  bench io [--dicom DIR] [--repeats N] [--json]\n"
    "                                      Measure image loading and label writing speed\n"
    "  bench gui [--dicom DIR] [--depth N] [--repeats N] [--json]\n"
    "                                      Measure brush-to-repaint latency and slice scrolling speed\n"
    "  bench engine [--presets lite,paper] [--device D] [--threads N] [--paper-volume] [--json]\n"
    "                                      Measure segmentation latency, cached and uncached\n"
    "  bench pipeline [--size X,Y,Z] [--repeats N] [--threads N] [--adapt S] [--json]\n"
    "                                      Time the segmentation pipeline with and without adaptation\n"
    "  segment --image Q --support-labels L --output OUT [--labels 1,2] [--support-image S]\n"
    "          [--support-slices z1,z2 | --shots N] [--axis x|y|z] [--model FILE | --untrained lite|paper]\n"
    "          [--modality auto|ct|mr] [--adapt SECONDS] [--device auto|cpu|cuda] [--seed N]\n"
    "          [--threads N] [--probabilities PREFIX] [--reference R] [--json]\n"
    "          [--slice-range LABEL:FIRST-LAST[,...]] [--memory-budget-mb MB]\n"
    "                                      Segment Q from example slices, as the viewer's Segment button\n"
    "  train --output MODEL (--data DIR [--benchmark NAME --exclude-fold K] | --volumes LIST)\n"
    "        [--preset lite|paper] [--iterations N] [--init MODEL] [--resume CKPT] [--time-budget MIN]\n"
    "        [--supervised-fraction F] [--threads N]\n"
    "                                      Train on supervoxel episodes and, optionally, labelled ones\n"
    "  finetune --model BASE --images A,B --labels LA,LB --output NEW [--iterations N] [--time-budget MIN]\n"
    "                                      Adapt a model to labelled volumes (never overwrites BASE)\n"
    "  evaluate --benchmark abd-mri|card-mri|abd-ct|sample --model MODEL [--fold K|all]\n"
    "           [--protocol ep1|volume|interactive] [--shots 1|3] [--json]\n"
    "                                      Few-shot Dice on the published benchmarks or the sample\n"
    "  stats --image I --labels L [--series N] [--json | --csv]\n"
    "                                      Per label: voxels, volume (mL), intensity mean/std/min/max, extent\n"
    "  demo [--output DIR]                 The sample segmented from one example slice per organ, Dice, export\n"
    "  parity VECTORS.pt [--json]          Check the network against the reference's parity vectors\n"
    "  help                                Show this text\n";

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (or a full quota) must fail a write with an error we check, not kill us.
  ::signal(SIGXFSZ, SIG_IGN);
  // A command name always means the command, even where a file of that name exists; otherwise no
  // argument, GUI options or files to open mean the desktop application.
  const std::map<std::string, std::function<int(const protolabel::app::Args&)>> commands = {
      {"info", protolabel::app::runInfo},
      {"convert", protolabel::app::runConvert},
      {"bench", protolabel::app::runBench},
      {"parity", protolabel::app::runParity},
      {"segment", protolabel::app::runSegment},
      {"train", protolabel::app::runTrain},
      {"evaluate", protolabel::app::runEvaluate},
      {"finetune", protolabel::app::runFinetune},
      {"demo", protolabel::app::runDemo},
      {"stats", protolabel::app::runStats},
  };
  if (argc == 2 && std::string(argv[1]) == "--version") {
    std::cout << "protolabel " << PROTOLABEL_VERSION << "\n";
    return 0;
  }
  const bool isCommand = argc > 1 && (commands.count(argv[1]) || std::string(argv[1]) == "help");
  if (argc == 1 || (!isCommand && ((std::string(argv[1]).rfind("--", 0) == 0 &&
                                                   std::string(argv[1]) != "--help") ||
                                                  QFileInfo::exists(QString::fromLocal8Bit(argv[1])))))
    return protolabel::app::runGui(argc, argv);
  // The slice-view benchmark paints real widgets: a QApplication on the offscreen platform.
  const bool widgets = argc > 2 && std::string(argv[1]) == "bench" && std::string(argv[2]) == "gui";
  if (widgets && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  std::unique_ptr<QCoreApplication> application =
      widgets ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
  QCoreApplication::setApplicationName("ProtoLabel");
  QCoreApplication::setOrganizationName("ProtoLabel");

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return 0;
  }
  const auto command = commands.find(args[0]);
  if (command == commands.end()) {
    std::cerr << "protolabel: unknown command '" << args[0] << "'\n\n" << kUsage;
    return 2;
  }
  try {
    return command->second(protolabel::app::Args(args.begin() + 1, args.end()));
  } catch (const protolabel::app::UsageError& e) {
    std::cerr << "protolabel " << args[0] << ": " << e.what() << "\n\n" << kUsage;
    return 2;
  } catch (const protolabel::inference::EngineError& e) {
    std::cerr << "Error [engine]: " << e.what() << "\n";
    return 1;
  } catch (const protolabel::core::Error& e) {
    std::cerr << "Error [" << protolabel::core::errorCodeName(e.code()) << "]: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "Error [internal]: " << e.what() << "\n";
    return 1;
  }
}
