// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/statuswording.h>

#include <QDateTime>
#include <QTest>
#include <QUrl>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

// The status sentences from plain values: no controller, no service, no clock but the one given.
class tst_StatusWording : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seconds_data();
    void seconds();
    void clockSkew_data();
    void clockSkew();
    void lastUpdate_data();
    void lastUpdate();
    void processSummary_data();
    void processSummary();
    void statsLeftOut_data();
    void statsLeftOut();
    void failing();
    void waiting_data();
    void waiting();
};

void tst_StatusWording::seconds_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("expected");

    QTest::newRow("zero") << qint64(0) << u"0 s"_s;
    QTest::newRow("backoff start") << qint64(160) << u"0.16 s"_s;
    QTest::newRow("whole") << qint64(4000) << u"4 s"_s;
    QTest::newRow("three digits") << qint64(12345) << u"12.3 s"_s;
    QTest::newRow("timeout") << qint64(30000) << u"30 s"_s;
}

void tst_StatusWording::seconds()
{
    QFETCH(qint64, ms);
    QFETCH(QString, expected);
    QCOMPARE(StatusWording::seconds(milliseconds(ms)), expected);
}

void tst_StatusWording::clockSkew_data()
{
    QTest::addColumn<double>("skew");
    QTest::addColumn<QString>("expected");

    QTest::newRow("seconds ahead") << 12.4 << u"12 s ahead of this clock"_s;
    QTest::newRow("seconds behind") << -5.0 << u"5 s behind this clock"_s;
    QTest::newRow("last seconds") << 119.0 << u"119 s ahead of this clock"_s;
    QTest::newRow("minutes") << 120.0 << u"2 min ahead of this clock"_s;
    QTest::newRow("minutes behind") << -1800.0 << u"30 min behind this clock"_s;
    QTest::newRow("hours") << 7200.0 << u"2 h ahead of this clock"_s;
    QTest::newRow("an hour, rounded") << 3599.0 << u"60 min ahead of this clock"_s;
    QTest::newRow("days") << -172800.0 << u"2 days behind this clock"_s;
    QTest::newRow("weeks in days") << 30 * 86400.0 << u"30 days ahead of this clock"_s;
}

void tst_StatusWording::clockSkew()
{
    QFETCH(double, skew);
    QFETCH(QString, expected);
    QCOMPARE(StatusWording::clockSkew(skew), expected);
}

void tst_StatusWording::lastUpdate_data()
{
    QTest::addColumn<double>("offset"); // the sweep's stamp minus the arrival, in seconds
    QTest::addColumn<QString>("expected");

    // Arrival at 14:02:07 local time; the stamps are read back in local time as well.
    QTest::newRow("same clock") << 0.0 << u"Last update 14:02:07"_s;
    QTest::newRow("a sweep a little older than its answer") << -4.9 << u"Last update 14:02:07"_s;
    QTest::newRow("at the threshold")
        << 5.0
        << u"Last update 14:02:07, sweep stamped 14:02:12 by the service (5 s ahead of this clock)"_s;
    QTest::newRow("an hour ahead")
        << 3599.0
        << u"Last update 14:02:07, sweep stamped 15:02:06 by the service (60 min ahead of this clock)"_s;
    QTest::newRow("another day")
        << -3 * 86400.0
        << u"Last update 14:02:07, sweep stamped 2025-11-22 14:02:07 by the service (3 days behind this clock)"_s;
}

void tst_StatusWording::lastUpdate()
{
    QFETCH(double, offset);
    QFETCH(QString, expected);
    const QDateTime arrival(QDate(2025, 11, 25), QTime(14, 2, 7));
    const double stamp = double(arrival.toMSecsSinceEpoch()) / 1000.0 + offset;
    QCOMPARE(StatusWording::lastUpdate(arrival, stamp), expected);
}

void tst_StatusWording::processSummary_data()
{
    QTest::addColumn<int>("processes");
    QTest::addColumn<int>("unanswered");
    QTest::addColumn<QString>("expected");

    QTest::newRow("not reported") << -1 << 0 << u"processes: not reported"_s;
    QTest::newRow("none") << 0 << 0 << u"0 processes"_s;
    QTest::newRow("one") << 1 << 0 << u"1 process"_s;
    QTest::newRow("several") << 3 << 0 << u"3 processes"_s;
    QTest::newRow("some silent") << 3 << 2 << u"3 processes, 2 not answering"_s;
    QTest::newRow("none answering") << 0 << 1 << u"0 processes, 1 not answering"_s;
}

void tst_StatusWording::processSummary()
{
    QFETCH(int, processes);
    QFETCH(int, unanswered);
    QFETCH(QString, expected);
    QCOMPARE(StatusWording::processSummary(processes, unanswered), expected);
}

void tst_StatusWording::statsLeftOut_data()
{
    QTest::addColumn<qint64>("leftOut");
    QTest::addColumn<bool>("perProcess");
    QTest::addColumn<QString>("expected");

    QTest::newRow("sums")
        << qint64(12) << false
        << u"The service sent more stats than the dashboard keeps (20,000): 12 stats left out."_s;
    QTest::newRow("per process")
        << qint64(1234567) << true
        << u"The service sent more stats than the dashboard keeps (20,000): 1,234,567 stats left out, counted once per process."_s;
}

void tst_StatusWording::statsLeftOut()
{
    QFETCH(qint64, leftOut);
    QFETCH(bool, perProcess);
    QFETCH(QString, expected);
    QCOMPARE(StatusWording::statsLeftOut(leftOut, perProcess), expected);
}

void tst_StatusWording::failing()
{
    QCOMPARE(StatusWording::failing(u"Connection refused"_s, 160ms),
             u"Connection refused — retrying in 0.16 s"_s);
    QCOMPARE(StatusWording::failingDetail(3, QUrl(u"http://127.0.0.1:7828/stats?by=process"_s)),
             u"3 failed polls in a row of http://127.0.0.1:7828/stats?by=process"_s);
}

void tst_StatusWording::waiting_data()
{
    QTest::addColumn<qint64>("ageMs");
    QTest::addColumn<bool>("reading");
    QTest::addColumn<QString>("expected");

    QTest::newRow("no answer") << qint64(3999) << false
                               << u"Waiting for the service: no complete answer for 3 s"_s;
    QTest::newRow("reading") << qint64(2000) << true
                             << u"Reading the service's answer: 2 s so far"_s;
}

void tst_StatusWording::waiting()
{
    QFETCH(qint64, ageMs);
    QFETCH(bool, reading);
    QFETCH(QString, expected);
    QCOMPARE(StatusWording::waiting(milliseconds(ageMs), reading), expected);
    QCOMPARE(StatusWording::waitingDetail(QUrl(u"http://[::1]:7828/stats"_s), 3s),
             u"http://[::1]:7828/stats is given up 3 s after it was sent"_s);
}

QTEST_APPLESS_MAIN(tst_StatusWording)
#include "tst_statuswording.moc"
