#include "protolabel/ui/FinetuneRunner.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <filesystem>
#include <limits>

#include "protolabel/core/io/FinetuneData.h"
#include "protolabel/segmentation/TrainingData.h"
#include "protolabel/core/io/ImageReader.h"
#include "protolabel/core/io/LabelIO.h"
#include "protolabel/inference/Model.h"

namespace protolabel::ui {

namespace {

// Whether two paths name one file: hard and symbolic links count, and so does a file not yet
// written whose folder is reached another way.
bool samePath(const QString& a, const QString& b) {
  if (a.isEmpty() || b.isEmpty()) return false;
  std::error_code ec;
  const std::filesystem::path pa = a.toStdString(), pb = b.toStdString();
  if (std::filesystem::exists(pa, ec) && std::filesystem::exists(pb, ec))
    return std::filesystem::equivalent(pa, pb, ec);
  auto resolved = [](const QString& path) {
    const QFileInfo info(path);
    const QString folder = QFileInfo(info.absolutePath()).canonicalFilePath();
    return folder.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : folder + '/' + info.fileName();
  };
  return resolved(a) == resolved(b);
}

QString labelProblem(const core::Volume& image, const core::LabelMap& labels, const QString& name) {
  if (!labels.geometry().sameGrid(image.geometry()))
    return QObject::tr("%1: the labels do not lie on the grid of their image.").arg(name);
  if (!core::hasAnyLabel(labels.voxels()))
    return QObject::tr("%1 has no labels: paint or load some before fine-tuning.").arg(name);
  return {};
}

}  // namespace

FinetuneVolume FinetuneVolume::inMemory(core::Volume image, core::LabelMap labels, const QString& name) {
  FinetuneVolume v;
  v.name = name;
  v.image = std::make_shared<const core::Volume>(std::move(image));
  v.labels = std::make_shared<const core::LabelMap>(std::move(labels));
  return v;
}

FinetuneVolume FinetuneVolume::fromFiles(const QString& imagePath, const QString& labelsPath) {
  FinetuneVolume v;
  v.name = QObject::tr("%1 with %2").arg(QFileInfo(imagePath).fileName(), QFileInfo(labelsPath).fileName());
  v.imagePath = imagePath;
  v.labelsPath = labelsPath;
  return v;
}

struct FinetuneRunner::Outcome {
  QString output, summary, error;
  bool cancelled = false;
};

FinetuneRunner::FinetuneRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<inference::TrainingProgress>();  // for queued connections and QSignalSpy
}

FinetuneRunner::~FinetuneRunner() {
  cancel_ = true;
}

QString FinetuneRunner::refusal(const std::vector<FinetuneVolume>& volumes, const FinetuneOptions& options) const {
  if (running()) return tr("A fine-tuning run is already in progress.");
  if (volumes.empty()) return tr("Choose at least one labelled volume to train on.");
  if (options.baseModel.isEmpty()) return tr("No base model is selected.");
  if (!QFileInfo(options.baseModel).isFile()) return tr("The base model %1 does not exist.").arg(options.baseModel);
  if (options.output.isEmpty()) return tr("Choose an output file for the fine-tuned model.");
  bool protectedOutput = samePath(options.output, options.baseModel);
  for (const QString& path : protected_) protectedOutput = protectedOutput || samePath(options.output, path);
  if (protectedOutput)
    return tr("The output must be a new file: the base model and the shipped model are never overwritten.");
  if (options.iterations < 0 || options.minutes < 0) return tr("The budget cannot be negative.");
  if (options.iterations == 0 && options.minutes <= 0)
    return tr("Set a number of iterations or a time budget: both cannot be unlimited.");
  for (const FinetuneVolume& v : volumes) {
    if (v.isInMemory()) {
      if (v.image->isNull() || !v.labels) return tr("%1 has no image.").arg(v.name);
      if (QString problem = labelProblem(*v.image, *v.labels, v.name); !problem.isEmpty()) return problem;
      continue;
    }
    for (const QString& path : {v.imagePath, v.labelsPath}) {
      if (!QFileInfo::exists(path)) return tr("%1 does not exist.").arg(path);
      if (samePath(options.output, path)) return tr("The output would overwrite %1.").arg(path);
    }
  }
  return {};
}

bool FinetuneRunner::start(std::vector<FinetuneVolume> volumes, const FinetuneOptions& options) {
  if (const QString problem = refusal(volumes, options); !problem.isEmpty()) {
    Q_EMIT failed(problem);
    return false;
  }
  cancel_ = false;
  busy_ = true;
  work_.start([this, volumes = std::move(volumes), options] { return run(volumes, options); });
  return true;
}

void FinetuneRunner::wait() {
  if (busy_) work_.finish();  // progress still queued comes first, then the outcome
}

void FinetuneRunner::deliverOutcome(const std::shared_ptr<Outcome>& outcome) {
  if (!busy_) return;
  busy_ = false;
  if (outcome->cancelled) return Q_EMIT cancelled();
  if (!outcome->error.isEmpty()) return Q_EMIT failed(outcome->error);
  Q_EMIT finished(outcome->output, outcome->summary);
}

// The worker thread's part. Training files live in a temporary folder removed on the way out.
std::shared_ptr<FinetuneRunner::Outcome> FinetuneRunner::run(const std::vector<FinetuneVolume>& volumes,
                                                               const FinetuneOptions& options) {
  auto outcome = std::make_shared<Outcome>();
  try {
    QTemporaryDir work(QDir::tempPath() + "/protolabel-finetune-XXXXXX");
    if (!work.isValid()) throw std::runtime_error("cannot create a temporary folder in " + QDir::tempPath().toStdString());
    const auto model = inference::Model::load(options.baseModel.toStdString(), options.device);
    inference::TrainingOptions training = inference::finetuneOptions();
    training.seed = options.seed;
    training.iterations = options.iterations > 0 ? options.iterations : std::numeric_limits<int32_t>::max();
    training.timeBudgetMinutes = options.minutes;
    for (std::size_t i = 0; i < volumes.size(); ++i) {
      if (cancel_) break;
      const FinetuneVolume& v = volumes[i];
      std::shared_ptr<const core::Volume> image = v.image;
      std::shared_ptr<const core::LabelMap> labels = v.labels;
      std::string dicomModality = v.dicomModality;
      if (!v.isInMemory()) {
        core::LoadedImage loaded = core::readImage(v.imagePath.toStdString());
        if (loaded.seriesIndex >= 0) dicomModality = loaded.series[std::size_t(loaded.seriesIndex)].modality;
        image = std::make_shared<const core::Volume>(std::move(loaded.volume));
        labels = std::make_shared<const core::LabelMap>(core::readLabelMap(v.labelsPath.toStdString()));
        if (const QString problem = labelProblem(*image, *labels, v.name); !problem.isEmpty()) {
          outcome->error = problem;
          return outcome;
        }
      }
      // Prepared as the segmentation pipeline prepares a scan (the model's CT window and orientation).
      training.volumeFiles.push_back(segmentation::writeFinetuneVolume(
          *image, segmentation::resolveModality(segmentation::Modality::Auto, *image, dicomModality), *labels,
          model->info().preprocessing, work.path().toStdString(), int(i)));
    }
    if (cancel_) {
      outcome->cancelled = true;
      return outcome;
    }

    const std::string before = model->info().training;
    const auto report = inference::train(*model, training, [this](const inference::TrainingProgress& p) {
      if (cancel_) return false;
      work_.post([this, p] { if (busy_) Q_EMIT progress(p); });
      return true;
    });
    if (cancel_) {  // stopped by the user: nothing is written
      outcome->cancelled = true;
      return outcome;
    }
    const QString device = inference::deviceName(model->device());
    model->setTrainingSummary(before + "; fine-tuned from " + QFileInfo(options.baseModel).fileName().toStdString() +
                              " on " + std::to_string(volumes.size()) + " labelled volume(s) for " +
                              std::to_string(report.iterations) + " iterations (" +
                              std::to_string(int(report.seconds + 0.5)) + " s, " + device.toStdString() + ")");
    QDir().mkpath(QFileInfo(options.output).absolutePath());
    model->save(options.output.toStdString());
    outcome->output = options.output;
    outcome->summary = tr("%1 iterations in %2 s on %3, final running loss %4")
                           .arg(report.iterations)
                           .arg(int(report.seconds + 0.5))
                           .arg(device)
                           .arg(report.finalLoss, 0, 'f', 3);
  } catch (const std::exception& e) {
    outcome->error = QString::fromStdString(e.what());
  }
  return outcome;
}

}  // namespace protolabel::ui
