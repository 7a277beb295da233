#include "protolabel/ui/HelpDialog.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include "protolabel/ui/MainWindow.h"

namespace protolabel::ui {

namespace {
// Gestures of the slice views, which are not menu actions.
const char* const kViewGestures[][2] = {
    {"Mouse wheel, arrow keys, Page Up / Page Down", "Previous / next slice"},
    {"Ctrl + mouse wheel", "Zoom"},
    {"Middle button drag", "Pan"},
    {"Right button drag", "Window / level"},
    {"Left button (brush or eraser)", "Paint / erase on the slice"},
    {"Shift + mouse wheel, + / -", "Brush radius"},
};
}  // namespace

QString shortcutsHtml(const QList<QAction*>& actions) {
  QString html = "<h3>Keyboard shortcuts</h3><table cellpadding='3'>";
  for (const QAction* a : actions) {
    if (a->shortcuts().isEmpty() || a->text().isEmpty()) continue;
    QStringList keys;
    for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText);
    QString name = a->text();
    name.remove('&');
    html += QString("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(keys.join(", ").toHtmlEscaped(), name.toHtmlEscaped());
  }
  html += "</table><h3>In the slice views</h3><table cellpadding='3'>";
  for (const auto& g : kViewGestures) html += QString("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(g[0], g[1]);
  return html + "</table>";
}

QString aboutHtml(const MainWindowOptions& options) {
  QString html = QString("<h2>ProtoLabel %1</h2>"
                         "<p>Few-shot segmentation of CT and MR volumes with the CoW network (Concentrate on "
                         "Weakness, IJCAI 2025), native and offline.</p>")
                     .arg(options.version.toHtmlEscaped());
  html += "<h3>Licences</h3><ul>"
          "<li>ProtoLabel: Apache License 2.0.</li>"
          "<li>The bundled sample CT and its labels: TotalSegmentator test data, Apache License 2.0.</li>"
          "<li>The shipped model: see its training data below (CHAOS CC BY-SA 4.0; MS-CMRSeg and BTCV research "
          "terms): for research use.</li>"
          "<li>Libraries: Qt 6 (LGPL 3), LibTorch (BSD), ITK (Apache 2.0), GDCM (BSD), VTK (BSD), zlib.</li>"
          "</ul><p>The full list is in /usr/share/doc/protolabel/copyright.</p>";
  QFile card(options.modelCard);
  if (card.open(QIODevice::ReadOnly)) {
    QTextDocument doc;
    doc.setMarkdown(QString::fromUtf8(card.readAll()));
    html += "<h3>The model</h3>" + doc.toHtml();
  } else {
    html += "<p>No model card was found beside the shipped model.</p>";
  }
  return html;
}

QDialog* showHelpDialog(QWidget* parent, HelpDialog kind, const MainWindowOptions& options,
                        const QList<QAction*>& actions) {
  auto* dialog = new QDialog(parent);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setObjectName(kind == HelpDialog::About ? "about-dialog" : "shortcuts-dialog");
  dialog->setWindowTitle(kind == HelpDialog::About ? "About ProtoLabel" : "Keyboard shortcuts");
  auto* layout = new QVBoxLayout(dialog);
  auto* text = new QTextBrowser(dialog);
  text->setOpenExternalLinks(false);
  text->setHtml(kind == HelpDialog::About ? aboutHtml(options) : shortcutsHtml(actions));
  layout->addWidget(text);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
  layout->addWidget(buttons);
  dialog->resize(kind == HelpDialog::About ? QSize(760, 640) : QSize(520, 560));
  dialog->show();
  return dialog;
}

}  // namespace protolabel::ui
