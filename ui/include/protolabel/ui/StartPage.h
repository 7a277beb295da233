#pragma once
// What the window shows before any image is open: open the bundled sample (with its saved examples,
// ready to segment), an image or a DICOM folder, a recent file or workspace, and how the tool works in three steps.
#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace protolabel::ui {

class StartPage : public QWidget {
  Q_OBJECT
 public:
  explicit StartPage(QWidget* parent = nullptr);

  void setRecentFiles(const QStringList& paths);
  void setRecentWorkspaces(const QStringList& paths);
  void setSampleAvailable(bool available);
  QPushButton* sampleButton() const { return sample_; }
  QListWidget* recentList() const { return recent_; }
  QListWidget* recentWorkspaceList() const { return workspaces_; }

 Q_SIGNALS:
  void openSampleRequested();
  void openImageRequested();
  void openDicomRequested();
  void openRecentRequested(const QString& path);
  void openWorkspaceRequested(const QString& path);

 private:
  QPushButton* sample_;
  QListWidget* recent_;
  QListWidget* workspaces_;
};

}  // namespace protolabel::ui
