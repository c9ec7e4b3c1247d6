// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardoptions.h>

#include <QCoreApplication>
#include <QTest>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Action = DashboardOptions::Action;

class tst_DashboardOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void processAndPlot();
    void helpAndVersion();
    void parseUrl_data();
    void parseUrl();
};

void tst_DashboardOptions::defaults()
{
    const DashboardOptions options = DashboardOptions::parse({u"statvent-dashboard"_s});
    QCOMPARE(options.action, Action::Run);
    QVERIFY(!options.url); // the remembered URL applies
    QVERIFY(!options.interval);
    QVERIFY(!options.windowMinutes);
    QVERIFY(!options.process);
    QVERIFY(options.plottedStats.isEmpty());
    QVERIFY(options.screenshotFile.isEmpty());
    QCOMPARE(DashboardOptions::defaultUrl(), QUrl(u"http://127.0.0.1:7828/stats"_s));
}

void tst_DashboardOptions::valid_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("window");
    QTest::addColumn<QString>("screenshot");
    QTest::addColumn<int>("polls");

    QTest::newRow("url") << QStringList{u"--url"_s, u"http://10.0.0.2:9000/stats"_s}
                         << QUrl(u"http://10.0.0.2:9000/stats"_s) << 0 << 0 << QString() << 3;
    QTest::newRow("url without scheme")
        << QStringList{u"--url=127.0.0.1:7828/stats"_s} << QUrl(u"http://127.0.0.1:7828/stats"_s)
        << 0 << 0 << QString() << 3;
    QTest::newRow("interval") << QStringList{u"--interval"_s, u"250"_s} << QUrl() << 250 << 0
                              << QString() << 3;
    QTest::newRow("window") << QStringList{u"--window"_s, u"15"_s} << QUrl() << 0 << 15 << QString()
                            << 3;
    QTest::newRow("screenshot") << QStringList{u"--screenshot"_s, u"out.png"_s} << QUrl() << 0 << 0
                                << u"out.png"_s << 3;
    QTest::newRow("screenshot after")
        << QStringList{u"--screenshot"_s, u"a.png"_s, u"--after"_s, u"12"_s} << QUrl() << 0 << 0
        << u"a.png"_s << 12;
}

void tst_DashboardOptions::valid()
{
    QFETCH(QStringList, arguments);
    QFETCH(QUrl, url);
    QFETCH(int, interval);
    QFETCH(int, window);
    QFETCH(QString, screenshot);
    QFETCH(int, polls);
    const DashboardOptions options =
        DashboardOptions::parse(QStringList{u"statvent-dashboard"_s} + arguments);
    QCOMPARE(options.action, Action::Run);
    QCOMPARE(options.message, QString());
    QCOMPARE(options.url.value_or(QUrl()), url);
    QCOMPARE(options.interval.value_or(0ms).count(), interval);
    QCOMPARE(options.windowMinutes.value_or(0), window);
    QCOMPARE(options.screenshotFile, screenshot);
    QCOMPARE(options.screenshotPolls, polls);
}

void tst_DashboardOptions::invalid_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown option") << QStringList{u"--colour"_s} << u"Unknown option 'colour'."_s;
    QTest::newRow("missing value") << QStringList{u"--url"_s} << u"Missing value after '--url'."_s;
    QTest::newRow("file url") << QStringList{u"--url"_s, u"/tmp/stats"_s}
                              << u"--url: \"/tmp/stats\" is not an http:// or https:// URL"_s;
    QTest::newRow("ftp url") << QStringList{u"--url"_s, u"ftp://host/stats"_s}
                             << u"--url: \"ftp://host/stats\" is not an http:// or https:// URL"_s;
    QTest::newRow("empty url") << QStringList{u"--url="_s} << u"--url: no URL given"_s;
    QTest::newRow("interval not a number")
        << QStringList{u"--interval"_s, u"fast"_s}
        << u"--interval: \"fast\" is not a number of milliseconds between 1 and 3600000"_s;
    QTest::newRow("interval zero")
        << QStringList{u"--interval"_s, u"0"_s}
        << u"--interval: \"0\" is not a number of milliseconds between 1 and 3600000"_s;
    QTest::newRow("interval negative")
        << QStringList{u"--interval=-5"_s}
        << u"--interval: \"-5\" is not a number of milliseconds between 1 and 3600000"_s;
    QTest::newRow("window not offered")
        << QStringList{u"--window"_s, u"7"_s}
        << u"--window: \"7\" is not one of 1, 5, 15 or 60 minutes"_s;
    QTest::newRow("after alone") << QStringList{u"--after"_s, u"3"_s}
                                 << u"--after only makes sense with --screenshot"_s;
    QTest::newRow("after zero") << QStringList{u"--screenshot"_s, u"a.png"_s, u"--after"_s, u"0"_s}
                                << u"--after: \"0\" is not a number of polls (1 or more)"_s;
    QTest::newRow("empty screenshot")
        << QStringList{u"--screenshot="_s} << u"--screenshot: no file name given"_s;
    QTest::newRow("process not a pid")
        << QStringList{u"--process"_s, u"web"_s} << u"--process: \"web\" is not a pid"_s;
    QTest::newRow("process zero") << QStringList{u"--process=0"_s}
                                  << u"--process: \"0\" is not a pid"_s;
    QTest::newRow("positional") << QStringList{u"http://h/stats"_s}
                                << u"unexpected argument \"http://h/stats\""_s;
}

void tst_DashboardOptions::invalid()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const DashboardOptions options =
        DashboardOptions::parse(QStringList{u"statvent-dashboard"_s} + arguments);
    QCOMPARE(options.action, Action::Fail);
    QCOMPARE(options.message, message);
}

void tst_DashboardOptions::processAndPlot()
{
    const DashboardOptions options = DashboardOptions::parse(
        {u"statvent-dashboard"_s, u"--process"_s, u"4242"_s, u"--plot"_s, u"foo.bar"_s,
         u"--plot=foo :: now"_s, u"--distribution"_s, u"latency.{0}"_s});
    QCOMPARE(options.action, Action::Run);
    QCOMPARE(options.process.value_or(0), 4242);
    QCOMPARE(options.plottedStats, (QStringList{u"foo.bar"_s, u"foo :: now"_s}));
    QCOMPARE(options.distributionWindow, u"latency.{0}"_s);
    QVERIFY(DashboardOptions::parse({u"statvent-dashboard"_s}).distributionWindow.isEmpty());
}

void tst_DashboardOptions::helpAndVersion()
{
    QCoreApplication::setApplicationVersion(u"1.2.3"_s);
    const DashboardOptions help = DashboardOptions::parse({u"statvent-dashboard"_s, u"--help"_s});
    QCOMPARE(help.action, Action::ShowHelp);
    QVERIFY2(help.message.startsWith(u"Usage: "_s) && help.message.contains(u" [options]"_s),
             qPrintable(help.message));
    for (const auto *option : {"--url", "--interval", "--window", "--process", "--plot",
                               "--distribution", "--screenshot", "--after"})
        QVERIFY2(help.message.contains(QLatin1StringView(option)), option);
    const DashboardOptions version =
        DashboardOptions::parse({u"statvent-dashboard"_s, u"--version"_s});
    QCOMPARE(version.action, Action::ShowVersion);
    QVERIFY(version.message.endsWith(u"1.2.3"_s));
}

void tst_DashboardOptions::parseUrl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("error");
    QTest::newRow("http") << u"http://127.0.0.1:7828/stats"_s
                          << QUrl(u"http://127.0.0.1:7828/stats"_s) << QString();
    QTest::newRow("https") << u"https://metrics.example/stats"_s
                           << QUrl(u"https://metrics.example/stats"_s) << QString();
    QTest::newRow("blanks around")
        << u"  localhost:7828/stats \n"_s << QUrl(u"http://localhost:7828/stats"_s) << QString();
    QTest::newRow("ipv6") << u"http://[::1]:7828/stats"_s << QUrl(u"http://[::1]:7828/stats"_s)
                          << QString();
    QTest::newRow("blank") << u"   "_s << QUrl() << u"no URL given"_s;
    QTest::newRow("no host") << u"http:///stats"_s << QUrl()
                             << u"\"http:///stats\" names no host"_s;
}

void tst_DashboardOptions::parseUrl()
{
    QFETCH(QString, text);
    QFETCH(QUrl, url);
    QFETCH(QString, error);
    QString reported;
    QCOMPARE(DashboardOptions::parseUrl(text, &reported), url);
    QCOMPARE(reported, error);
}

QTEST_GUILESS_MAIN(tst_DashboardOptions)
#include "tst_dashboardoptions.moc"
