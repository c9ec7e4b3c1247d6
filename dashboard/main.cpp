// SPDX-License-Identifier: MIT
#include "dashboardoptions.h"
#include "mainwindow.h"

#include <QApplication>
#include <QSettings>
#include <QStyleFactory>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication::setOrganizationName(u"Statvent"_s);
    QApplication::setApplicationName(u"statvent-dashboard"_s);
    QApplication::setApplicationVersion(QStringLiteral(STATVENT_VERSION));

    // Before QApplication: --help, --version and mistakes need no display.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const DashboardOptions options = DashboardOptions::parse(arguments);
    switch (options.action) {
    case DashboardOptions::Action::ShowHelp:
    case DashboardOptions::Action::ShowVersion:
        std::fputs(qPrintable(options.message + u'\n'), stdout);
        return 0;
    case DashboardOptions::Action::Fail:
        std::fprintf(stderr, "statvent-dashboard: %s\n", qPrintable(options.message));
        return 2;
    case DashboardOptions::Action::Run:
        break;
    }

    QApplication app(argc, argv);
    // The same light look on every desktop, and in the offscreen screenshots.
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));

    // A screenshot must not depend on, nor change, what a user's dashboard remembers.
    const bool screenshot = !options.screenshotFile.isEmpty();
    QSettings settings;
    MainWindow window(screenshot ? nullptr : &settings);
    if (options.url)
        window.setUrl(*options.url);
    if (options.interval)
        window.setInterval(*options.interval);
    if (options.windowMinutes)
        window.setWindowMinutes(*options.windowMinutes);
    if (options.process)
        window.showProcess(*options.process);
    if (!options.plottedStats.isEmpty())
        window.selectStats(options.plottedStats);
    if (screenshot) {
        window.saveScreenshotAfter(options.screenshotPolls, options.screenshotFile);
        QObject::connect(&window, &MainWindow::screenshotSaved, &app,
                         [&window](const QString &file, bool ok, const QString &error) {
                             if (ok)
                                 std::fprintf(stderr, "statvent-dashboard: saved %s (%s)\n", qPrintable(file),
                                              qPrintable(window.connectionStatus()));
                             else
                                 std::fprintf(stderr, "statvent-dashboard: %s\n", qPrintable(error));
                             QCoreApplication::exit(ok ? 0 : 1);
                         });
    }
    window.show();
    window.start();
    return QApplication::exec();
}
