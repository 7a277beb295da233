#include "protolabel/ui/StartPage.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace protolabel::ui {

StartPage::StartPage(QWidget* parent) : QWidget(parent) {
  setObjectName("start-page");
  auto* outer = new QHBoxLayout(this);
  outer->addStretch(1);
  auto* column = new QVBoxLayout;
  outer->addLayout(column, 3);
  outer->addStretch(1);

  auto* title = new QLabel("<h1>ProtoLabel</h1>"
                           "<p>Segment any structure in a CT or MR volume from a few brushed examples.</p>",
                           this);
  title->setWordWrap(true);
  column->addStretch(1);
  column->addWidget(title);

  sample_ = new QPushButton("Open the sample", this);
  sample_->setObjectName("open-sample");
  sample_->setToolTip("A torso CT with liver, spleen and kidneys already brushed on one slice each");
  auto* image = new QPushButton("Open image…", this);
  image->setObjectName("open-image");
  auto* dicom = new QPushButton("Open DICOM folder…", this);
  dicom->setObjectName("open-dicom");
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {sample_, image, dicom}) {
    b->setMinimumHeight(36);
    buttons->addWidget(b);
  }
  column->addLayout(buttons);

  auto* how = new QLabel(
      "<h3>How it works</h3>"
      "<ol>"
      "<li><b>Brush</b> each structure on one slice (B, then paint; pick or add labels in the Labels tab).</li>"
      "<li><b>Segment</b>: the Segment tab's <i>Segment all labels</i> finds them in the whole volume, "
      "adapting the network to your scan first.</li>"
      "<li><b>Review</b> the dashed proposals, correct with the brush (your correction becomes a new example), "
      "accept, and export (File &gt; Export).</li>"
      "</ol>",
      this);
  how->setWordWrap(true);
  column->addWidget(how);

  column->addWidget(new QLabel("<h3>Recent files</h3>", this));
  recent_ = new QListWidget(this);
  recent_->setObjectName("recent-files");
  recent_->setMaximumHeight(180);
  column->addWidget(recent_);
  column->addWidget(new QLabel("<h3>Recent workspaces</h3>", this));
  workspaces_ = new QListWidget(this);
  workspaces_->setObjectName("recent-workspaces");
  workspaces_->setMaximumHeight(120);
  column->addWidget(workspaces_);
  column->addStretch(2);

  connect(sample_, &QPushButton::clicked, this, &StartPage::openSampleRequested);
  connect(image, &QPushButton::clicked, this, &StartPage::openImageRequested);
  connect(dicom, &QPushButton::clicked, this, &StartPage::openDicomRequested);
  connect(recent_, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) {
            const QString path = item->data(Qt::UserRole).toString();
            if (!path.isEmpty()) Q_EMIT openRecentRequested(path);
          });
  connect(workspaces_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    const QString path = item->data(Qt::UserRole).toString();
    if (!path.isEmpty()) Q_EMIT openWorkspaceRequested(path);
  });
}

namespace {
void fillRecentList(QListWidget* list, const QStringList& paths) {
  list->clear();
  for (const QString& path : paths) {
    auto* item = new QListWidgetItem(QFileInfo(path).fileName() + "  —  " + QFileInfo(path).absolutePath(), list);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
  }
  if (paths.isEmpty()) new QListWidgetItem("(none yet)", list);
}
}  // namespace

void StartPage::setRecentFiles(const QStringList& paths) { fillRecentList(recent_, paths); }
void StartPage::setRecentWorkspaces(const QStringList& paths) { fillRecentList(workspaces_, paths); }

void StartPage::setSampleAvailable(bool available) {
  sample_->setEnabled(available);
  if (!available) sample_->setToolTip("The bundled sample is not installed");
}

}  // namespace protolabel::ui
