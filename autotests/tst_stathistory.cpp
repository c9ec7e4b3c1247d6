// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "dashboardtest.h"
#include <statventdashboard/stathistory.h>

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using DashboardTest::ys;
using Statvent::StatValue;

namespace {

constexpr double T0 = 1'764'057'600.0;

StatsDocument::Stats stats(std::initializer_list<std::pair<QString, StatValue>> values)
{
    StatsDocument::Stats result;
    for (const auto &[name, value] : values)
        result.insert(name, value);
    return result;
}

QList<double> xs(const QList<QPointF> &points)
{
    QList<double> result;
    for (const QPointF &point : points)
        result.append(point.x());
    return result;
}

} // namespace

class tst_StatHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesAfterSeveralPolls();
    void gapsWhereAStatIsMissing();
    void ringKeepsTheLastPolls();
    void windowTrimming_data();
    void windowTrimming();
    void thinningKeepsExtremes();
    void rates();
    void counterDetection_data();
    void counterDetection();
    void counterAgainAfterTheDecreaseLeaves();
    void kindsDecideCounters_data();
    void kindsDecideCounters();
    void forgetsStatsGoneForTheWholeRing();
    void refusesSeriesBeyondTheLimit();
    void sameSweepIsNotRecordedTwice();
    void clockGoingBackIsRefused();
    void serviceStampsBesideTheTimes();
    void clear();
};

void tst_StatHistory::valuesAfterSeveralPolls()
{
    StatHistory history;
    for (int poll = 0; poll < 4; ++poll)
        history.append(T0 + poll, stats({{u"requests"_s, 10 * poll}, {u"load"_s, 0.5 + poll}}));
    QCOMPARE(history.pollCount(), 4);
    QCOMPARE(history.seriesCount(), 2);
    QCOMPARE(history.oldestTime(), T0);
    QCOMPARE(history.latestTime(), T0 + 3);
    QCOMPARE(ys(history.values(u"requests"_s, 0)), (QList<double>{0, 10, 20, 30}));
    QCOMPARE(ys(history.values(u"load"_s, 0)), (QList<double>{0.5, 1.5, 2.5, 3.5}));
    QCOMPARE(xs(history.values(u"load"_s, 0)),
             (QList<double>{T0 * 1000, (T0 + 1) * 1000, (T0 + 2) * 1000, (T0 + 3) * 1000}));
    QCOMPARE(history.latestValue(u"requests"_s), 30.0);
    QCOMPARE(history.latestValue(u"unknown"_s), std::nullopt);
    QVERIFY(history.values(u"unknown"_s, 0).isEmpty());
}

void tst_StatHistory::gapsWhereAStatIsMissing()
{
    StatHistory history;
    history.append(T0, stats({{u"a"_s, 1}, {u"b"_s, 1}}));
    history.append(T0 + 1, stats({{u"b"_s, 2}}));
    history.append(T0 + 2, stats({{u"a"_s, 3}, {u"b"_s, 3}}));
    QCOMPARE(ys(history.values(u"a"_s, 0)), (QList<double>{1, 3}));
    QCOMPARE(xs(history.values(u"a"_s, 0)), (QList<double>{T0 * 1000, (T0 + 2) * 1000}));
    // No value at the latest poll: the table shows the stat as absent, not stale.
    history.append(T0 + 3, stats({{u"b"_s, 4}}));
    QCOMPARE(history.latestValue(u"a"_s), std::nullopt);
    QVERIFY(history.contains(u"a"_s));
}

void tst_StatHistory::ringKeepsTheLastPolls()
{
    StatHistory history(5);
    for (int poll = 0; poll < 12; ++poll)
        history.append(T0 + poll, stats({{u"x"_s, poll}}));
    QCOMPARE(history.capacity(), 5);
    QCOMPARE(history.pollCount(), 5);
    QCOMPARE(history.oldestTime(), T0 + 7);
    QCOMPARE(ys(history.values(u"x"_s, 0)), (QList<double>{7, 8, 9, 10, 11}));
}

void tst_StatHistory::windowTrimming_data()
{
    QTest::addColumn<double>("since");
    QTest::addColumn<QList<double>>("values");
    QTest::newRow("everything") << 0.0 << QList<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    QTest::newRow("from a sweep") << T0 + 6 << QList<double>{6, 7, 8, 9};
    QTest::newRow("between sweeps") << T0 + 6.5 << QList<double>{7, 8, 9};
    QTest::newRow("last only") << T0 + 9 << QList<double>{9};
    QTest::newRow("after the last") << T0 + 9.5 << QList<double>{};
}

void tst_StatHistory::windowTrimming()
{
    QFETCH(double, since);
    QFETCH(QList<double>, values);
    StatHistory history(8); // polls 0 and 1 have left the ring: "everything" starts at 2
    for (int poll = 0; poll < 10; ++poll)
        history.append(T0 + poll, stats({{u"x"_s, poll}}));
    if (since == 0)
        values = values.mid(2);
    QCOMPARE(ys(history.values(u"x"_s, since)), values);
}

void tst_StatHistory::thinningKeepsExtremes()
{
    StatHistory history(1000);
    for (int poll = 0; poll < 1000; ++poll) {
        const double value = poll == 500 ? 1000 : (poll == 700 ? -1000 : poll % 10);
        history.append(T0 + poll, stats({{u"x"_s, value}}));
    }
    const QList<QPointF> thinned = history.values(u"x"_s, 0, 100);
    QVERIFY2(thinned.size() <= 100, qPrintable(QString::number(thinned.size())));
    QVERIFY(thinned.size() >= 50);
    const QList<double> values = ys(thinned);
    QVERIFY(values.contains(1000)); // the spike survives
    QVERIFY(values.contains(-1000)); // and the dip
    QVERIFY(std::is_sorted(thinned.cbegin(), thinned.cend(),
                           [](QPointF a, QPointF b) { return a.x() < b.x(); }));
    QCOMPARE(history.values(u"x"_s, 0, 0).size(), 1000); // no limit: every point
}

void tst_StatHistory::rates()
{
    StatHistory history;
    history.append(T0, stats({{u"requests"_s, 100}}));
    history.append(T0 + 2, stats({{u"requests"_s, 140}})); // 20/s
    history.append(T0 + 2.5, stats({{u"requests"_s, 150}})); // 20/s
    history.append(T0 + 3.5, stats({{u"requests"_s, 250}})); // 100/s
    QCOMPARE(ys(history.rates(u"requests"_s, 0)), (QList<double>{20, 20, 100}));
    QCOMPARE(history.latestRate(u"requests"_s), 100.0);
    QCOMPARE(ys(history.rates(u"requests"_s, T0 + 3)), (QList<double>{100}));

    // A poll without the stat leaves no rate on either side of the gap.
    history.append(T0 + 4.5, stats({}));
    history.append(T0 + 5.5, stats({{u"requests"_s, 300}}));
    QCOMPARE(history.latestRate(u"requests"_s), std::nullopt);
    history.append(T0 + 6.5, stats({{u"requests"_s, 310}}));
    QCOMPARE(history.latestRate(u"requests"_s), 10.0);
}

void tst_StatHistory::counterDetection_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<bool>("counter");
    QTest::newRow("grows") << QList<double>{1, 2, 5, 9} << true;
    QTest::newRow("grows with pauses") << QList<double>{1, 1, 5, 5} << true;
    QTest::newRow("real counter") << QList<double>{0.5, 1.25, 2.0} << true;
    QTest::newRow("constant") << QList<double>{3, 3, 3} << false;
    QTest::newRow("single poll") << QList<double>{3} << false;
    QTest::newRow("falls once") << QList<double>{1, 2, 1, 5} << false;
    QTest::newRow("falls") << QList<double>{9, 5, 1} << false;
    QTest::newRow("gauge") << QList<double>{4, 7, 2, 8} << false;
}

void tst_StatHistory::counterDetection()
{
    QFETCH(QList<double>, values);
    QFETCH(bool, counter);
    StatHistory history;
    for (int poll = 0; poll < values.size(); ++poll)
        history.append(T0 + poll, stats({{u"x"_s, values[poll]}}));
    QCOMPARE(history.isCounter(u"x"_s), counter);
}

void tst_StatHistory::counterAgainAfterTheDecreaseLeaves()
{
    // A restarted process resets its counter; once the drop has left the history, the stat is
    // judged by what the history still holds.
    StatHistory history(4);
    for (double value : {5.0, 6.0, 1.0, 2.0})
        history.append(T0 + history.pollCount(), stats({{u"x"_s, value}}));
    QVERIFY(!history.isCounter(u"x"_s));
    double t = history.latestTime();
    for (double value : {3.0, 4.0, 5.0})
        history.append(++t, stats({{u"x"_s, value}}));
    QVERIFY(history.isCounter(u"x"_s));
}

void tst_StatHistory::kindsDecideCounters_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<Statvent::StatKind>("kind");
    QTest::addColumn<bool>("counter");
    using Statvent::StatKind;
    // The service's word, against what the values alone would suggest.
    QTest::newRow("counter from its first poll") << QList<double>{5} << StatKind::Counter << true;
    QTest::newRow("constant counter") << QList<double>{5, 5, 5} << StatKind::Counter << true;
    QTest::newRow("counter reset") << QList<double>{5, 6, 1, 2} << StatKind::Counter << true;
    QTest::newRow("gauge that only grows") << QList<double>{1, 2, 5, 9} << StatKind::Gauge << false;
    QTest::newRow("window row that grows") << QList<double>{1, 2, 3} << StatKind::Window << false;
    // Without a kind (a FIFO), the guess.
    QTest::newRow("untyped, grows") << QList<double>{1, 2, 5, 9} << StatKind::Untyped << true;
    QTest::newRow("untyped, falls") << QList<double>{1, 2, 1} << StatKind::Untyped << false;
    QTest::newRow("untyped, single poll") << QList<double>{5} << StatKind::Untyped << false;
}

void tst_StatHistory::kindsDecideCounters()
{
    QFETCH(QList<double>, values);
    QFETCH(Statvent::StatKind, kind);
    QFETCH(bool, counter);
    StatHistory history;
    StatsDocument::Kinds kinds;
    if (kind != Statvent::StatKind::Untyped)
        kinds.insert(u"x"_s, kind);
    for (int poll = 0; poll < values.size(); ++poll)
        QVERIFY(history.append(T0 + poll, T0 + poll, stats({{u"x"_s, values[poll]}}), kinds));
    QCOMPARE(history.isCounter(u"x"_s), counter);
    // The kind of the latest poll counts: the same values without a kind are guessed at.
    history.append(T0 + values.size(), stats({{u"x"_s, values.constLast()}}));
    const bool grewNeverFell = values.size() > 1 && std::is_sorted(values.cbegin(), values.cend())
        && values.constFirst() < values.constLast();
    QCOMPARE(history.isCounter(u"x"_s), grewNeverFell);
}

void tst_StatHistory::forgetsStatsGoneForTheWholeRing()
{
    StatHistory history(3);
    history.append(T0, stats({{u"gone"_s, 1}, {u"stays"_s, 1}}));
    const quint64 revision = history.namesRevision();
    history.append(T0 + 1, stats({{u"stays"_s, 2}}));
    history.append(T0 + 2, stats({{u"stays"_s, 3}}));
    QVERIFY(history.contains(u"gone"_s)); // its one value is still in the ring
    QCOMPARE(history.namesRevision(), revision);
    history.append(T0 + 3, stats({{u"stays"_s, 4}}));
    QVERIFY(!history.contains(u"gone"_s));
    QVERIFY(history.namesRevision() != revision);
    QCOMPARE(history.names(), QStringList{u"stays"_s});
    QCOMPARE(ys(history.values(u"stays"_s, 0)), (QList<double>{2, 3, 4}));
}

void tst_StatHistory::refusesSeriesBeyondTheLimit()
{
    StatHistory history(10, 2);
    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(
            u"^the history is full with 2 series: keeping no history of 1 more stats"_s));
    history.append(T0, stats({{u"a"_s, 1}, {u"b"_s, 1}, {u"c"_s, 1}}));
    QCOMPARE(history.seriesCount(), 2);
    QCOMPARE(history.refusedSeries(), 1);
    // The same refusal is not repeated at every poll.
    QTest::failOnWarning(QRegularExpression(u"history is full"_s));
    history.append(T0 + 1, stats({{u"a"_s, 1}, {u"b"_s, 1}, {u"c"_s, 1}}));
    QCOMPARE(history.refusedSeries(), 1);
}

void tst_StatHistory::sameSweepIsNotRecordedTwice()
{
    StatHistory history;
    QVERIFY(history.append(T0, stats({{u"a"_s, 1}})));
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    QVERIFY(!history.append(T0, stats({{u"a"_s, 2}})));
    QCOMPARE(history.pollCount(), 1);
    QCOMPARE(history.latestValue(u"a"_s), 1.0);
}

void tst_StatHistory::clockGoingBackIsRefused()
{
    StatHistory history;
    history.append(T0, stats({{u"a"_s, 1}}));
    QTest::ignoreMessage(
        QtWarningMsg,
        QRegularExpression(
            u"^ignoring a sweep taken at .* before the last one recorded .*clock go back"_s));
    QVERIFY(!history.append(T0 - 30, stats({{u"a"_s, 2}})));
    QCOMPARE(history.pollCount(), 1);
    QVERIFY(!history.append(std::nan(""), stats({{u"a"_s, 2}})));
    QVERIFY(history.append(T0 + 1, stats({{u"a"_s, 3}})));
}

void tst_StatHistory::serviceStampsBesideTheTimes()
{
    StatHistory history;
    QVERIFY(history.append(T0, T0 + 3600, stats({{u"requests"_s, 100}}))); // stamped an hour ahead
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"^the service's clock went back: a sweep stamped "_s));
    QVERIFY(history.append(T0 + 1, T0 + 1, stats({{u"requests"_s, 110}})));
    QVERIFY(history.append(T0 + 2, T0 + 3,
                           stats({{u"requests"_s, 130}}))); // 20 in 2 s of the service's clock
    QVERIFY(!history.append(T0 + 3, T0 + 3, stats({{u"requests"_s, 999}}))); // the same sweep again
    QCOMPARE(history.pollCount(), 3);
    QCOMPARE(history.latestTime(), T0 + 2);
    QCOMPARE(history.latestSweepTime(), T0 + 3);
    QCOMPARE(xs(history.values(u"requests"_s, 0)),
             (QList<double>{T0 * 1000, (T0 + 1) * 1000, (T0 + 2) * 1000}));
    // No rate across the step back (a gap), then the rate by the service's stamps.
    QCOMPARE(ys(history.rates(u"requests"_s, 0)), (QList<double>{10}));
    QCOMPARE(history.latestRate(u"requests"_s), 10.0);
}

void tst_StatHistory::clear()
{
    StatHistory history;
    history.append(T0, stats({{u"a"_s, 1}}));
    history.clear();
    QCOMPARE(history.pollCount(), 0);
    QCOMPARE(history.seriesCount(), 0);
    QCOMPARE(history.latestTime(), 0.0);
    QVERIFY(
        history.append(T0 - 100, stats({{u"a"_s, 1}}))); // an older service is fine after a clear
}

QTEST_GUILESS_MAIN(tst_StatHistory)
#include "tst_stathistory.moc"
