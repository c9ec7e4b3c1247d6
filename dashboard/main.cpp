// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/dashboardoptions.h>
#include <statventdashboard/mainwindow.h>

#include <QApplication>
#include <QSettings>
#include <QStyleFactory>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace StatventDashboard;

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
    DashboardController controller;
    MainWindow window(&controller, screenshot ? nullptr : &settings);
    if (options.url)
        controller.setUrl(*options.url);
    if (options.interval)
        controller.setInterval(*options.interval);
    if (options.windowMinutes)
        controller.setWindowMinutes(*options.windowMinutes);
    if (options.process)
        controller.showProcess(*options.process);
    if (!options.plottedStats.isEmpty())
        controller.setSelectedStats(options.plottedStats);
    if (!options.distributionWindow.isEmpty())
        window.showDistribution(options.distributionWindow);
    if (screenshot) {
        window.saveScreenshotAfter(options.screenshotPolls, options.screenshotFile);
        QObject::connect(
            &window, &MainWindow::screenshotSaved, &app,
            [&controller](const QString &file, bool ok, const QString &error) {
                if (ok)
                    std::fprintf(stderr, "statvent-dashboard: saved %s (%s)\n", qPrintable(file),
                                 qPrintable(controller.connectionStatus()));
                else
                    std::fprintf(stderr, "statvent-dashboard: %s\n", qPrintable(error));
                QCoreApplication::exit(ok ? 0 : 1);
            });
    }
    window.show();
    controller.start();
    return QApplication::exec();
}
