#pragma once
// The fine-tune tab: which labelled volumes to train on (the open volume and labelled files), the
// budget (iterations and/or minutes), the device, the base model and the output file; Start and
// Cancel with progress, ETA and a live loss plot; after a run, "Use this model".
#include <QString>
#include <QStringList>
#include <QWidget>

#include "protolabel/inference/Types.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace protolabel::inference {
struct TrainingProgress;
}

namespace protolabel::ui {

class FinetuneRunner;
class LossPlot;
class ViewerModel;

class FinetunePanel : public QWidget {
  Q_OBJECT
 public:
  explicit FinetunePanel(ViewerModel* viewer, QWidget* parent = nullptr);

  // The model training starts from (the one segmenting now).
  void setBaseModel(const QString& path);
  QString baseModel() const { return baseModel_; }
  // Models never written to (the shipped model).
  void setProtectedModels(const QStringList& paths);

  void setIterations(int iterations);  // 0: no limit
  void setMinutes(int minutes);        // 0: no limit
  void setOutputPath(const QString& path);
  QString outputPath() const;
  void setUseCurrentVolume(bool use);
  void addVolumeFiles(const QString& imagePath, const QString& labelsPath);
  inference::Device selectedDevice() const;
  // `~/ProtoLabel/models/finetuned-<date-time>.pt`, not naming an existing file.
  static QString defaultOutputPath();

  QPushButton* startButton() const { return start_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* useModelButton() const { return useModel_; }
  QListWidget* volumeList() const { return volumes_; }
  QProgressBar* progressBar() const { return progress_; }
  LossPlot* lossPlot() const { return plot_; }
  FinetuneRunner* runner() const { return runner_; }
  QString statusText() const;

 public Q_SLOTS:
  void startTraining();
  void addLabelledVolume();  // asks for an image, then its labels
  void removeSelectedVolume();
  void chooseOutput();

 Q_SIGNALS:
  // The user asked to segment with the fine-tuned model.
  void useModel(const QString& path);
  void modelTrained(const QString& path);

 private:
  void onProgress(const inference::TrainingProgress& p);
  void onFinished(const QString& output, const QString& summary);
  void onEnded(const QString& message);
  void setRunning(bool running);
  void updateCurrentVolumeItem();
  void updateRemoveButton();

  ViewerModel* viewer_;
  FinetuneRunner* runner_;
  QString baseModel_;
  QString trainedModel_;
  QString lastDefaultOutput_;
  int plannedIterations_ = 0;
  QListWidget* volumes_;
  QListWidgetItem* currentVolume_;
  QPushButton* addVolume_;
  QPushButton* removeVolume_;
  QSpinBox* iterations_;
  QSpinBox* minutes_;
  QComboBox* device_;
  QLabel* baseLabel_;
  QLineEdit* output_;
  QPushButton* chooseOutput_;
  QPushButton* start_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  LossPlot* plot_;
  QPushButton* useModel_;
};

}  // namespace protolabel::ui
