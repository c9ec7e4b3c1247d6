// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/percentilegroups.h>
#include <statventdashboard/stathistory.h>
#include <statventdashboard/stattablemodel.h>

#include <QAbstractItemModelTester>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;
using Statvent::StatValue;

namespace {

constexpr double T0 = 1'764'057'600.0;

} // namespace

class tst_StatTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void rowsValuesAndRates();
    void percentilesAreNeverCounters();
    void exactIntegers();
    void statMissingFromTheLastSweep();
    void rowsComeAndGoWithoutAReset();
    void statsWithoutHistoryStillHaveARow();
    void sortRole();
    void numberFormat_data();
    void numberFormat();
    void namesAsShown_data();
    void namesAsShown();
    void invalidUtf8NamesStayApart();

private:
    void poll(const StatsDocument::Stats &values);
    QString text(const QString &name, int column) const;

    std::unique_ptr<StatHistory> m_history;
    std::unique_ptr<StatTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    double m_time = T0;
};

void tst_StatTableModel::init()
{
    m_history = std::make_unique<StatHistory>(4);
    m_model = std::make_unique<StatTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_time = T0;
}

void tst_StatTableModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_history.reset();
}

void tst_StatTableModel::poll(const StatsDocument::Stats &values)
{
    m_history->append(m_time, values);
    m_time += 2;
    m_model->refresh(*m_history, values, PercentileGroups::detect(m_history->names()));
}

QString tst_StatTableModel::text(const QString &name, int column) const
{
    const int row = m_model->rowOf(name);
    return row < 0 ? u"(no row)"_s : m_model->index(row, column).data().toString();
}

void tst_StatTableModel::rowsValuesAndRates()
{
    poll({{u"requests"_s, 100}, {u"queue"_s, 5}});
    poll({{u"requests"_s, 150}, {u"queue"_s, 3}});
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->columnCount(), 3);
    QCOMPARE(m_model->headerData(StatTableModel::RateColumn, Qt::Horizontal).toString(), u"Rate"_s);
    QCOMPARE(text(u"requests"_s, StatTableModel::ValueColumn), u"150"_s);
    QCOMPARE(text(u"requests"_s, StatTableModel::RateColumn), u"25/s"_s);
    QVERIFY(m_model->isCounter(u"requests"_s));
    QCOMPARE(text(u"queue"_s, StatTableModel::ValueColumn), u"3"_s);
    QCOMPARE(text(u"queue"_s, StatTableModel::RateColumn), QString()); // a gauge has no rate
    QVERIFY(!m_model->isCounter(u"queue"_s));
    QCOMPARE(m_model->index(m_model->rowOf(u"requests"_s), 0).data(StatTableModel::IsCounterRole),
             QVariant(true));
}

void tst_StatTableModel::percentilesAreNeverCounters()
{
    // A window's maximum can grow for a while; it is still a percentile, not a count.
    poll({{u"latency.100th"_s, 1.0}, {u"latency.median"_s, 0.5}});
    poll({{u"latency.100th"_s, 2.0}, {u"latency.median"_s, 0.7}});
    QVERIFY(m_history->isCounter(u"latency.100th"_s));
    QVERIFY(!m_model->isCounter(u"latency.100th"_s));
    QCOMPARE(text(u"latency.100th"_s, StatTableModel::RateColumn), QString());
    QVERIFY(m_model->index(m_model->rowOf(u"latency.100th"_s), 0)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"latency.{0}"_s));
}

void tst_StatTableModel::exactIntegers()
{
    poll({{u"big"_s, std::numeric_limits<qint64>::max()}, {u"real"_s, 1e-9}});
    QCOMPARE(text(u"big"_s, StatTableModel::ValueColumn), u"9,223,372,036,854,775,807"_s);
    const QModelIndex real = m_model->index(m_model->rowOf(u"real"_s), StatTableModel::ValueColumn);
    QCOMPARE(real.data().toString(), u"1E-09"_s); // QLocale's English exponent
    QCOMPARE(real.data(Qt::ToolTipRole).toString(), u"1e-09"_s); // PipeFormat's exact text
}

void tst_StatTableModel::statMissingFromTheLastSweep()
{
    poll({{u"a"_s, 1}, {u"b"_s, 1}});
    poll({{u"b"_s, 2}});
    QCOMPARE(text(u"a"_s, StatTableModel::ValueColumn), u"—"_s);
    QCOMPARE(m_model->index(m_model->rowOf(u"a"_s), StatTableModel::ValueColumn)
                 .data(Qt::ToolTipRole)
                 .toString(),
             u"not in the last sweep"_s);
}

void tst_StatTableModel::rowsComeAndGoWithoutAReset()
{
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    poll({{u"a"_s, 1}, {u"b"_s, 1}});
    const QPersistentModelIndex b = m_model->index(m_model->rowOf(u"b"_s), 0);
    poll({{u"b"_s, 2}, {u"c"_s, 1}});
    for (int i = 0; i < 4; ++i) // "a" leaves the 4-poll history
        poll({{u"b"_s, 3}, {u"c"_s, 1}});
    QCOMPARE(m_model->rowOf(u"a"_s), -1);
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(removed.size(), 1);
    QVERIFY(b.isValid()); // a view's selection of "b" survives
    QCOMPARE(b.data().toString(), u"b"_s);
}

void tst_StatTableModel::statsWithoutHistoryStillHaveARow()
{
    m_history = std::make_unique<StatHistory>(4, 1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"history is full"_s));
    poll({{u"a"_s, 1}, {u"b"_s, 2}});
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_history->seriesCount(), 1);
    QCOMPARE(text(u"a"_s, StatTableModel::ValueColumn), u"1"_s);
    QCOMPARE(text(u"b"_s, StatTableModel::ValueColumn), u"2"_s);
}

void tst_StatTableModel::sortRole()
{
    poll({{u"a"_s, 10}, {u"b"_s, 2.5}});
    poll({{u"a"_s, 30}, {u"b"_s, 2.5}});
    const int a = m_model->rowOf(u"a"_s);
    const int b = m_model->rowOf(u"b"_s);
    QCOMPARE(
        m_model->index(a, StatTableModel::ValueColumn).data(StatTableModel::SortRole).toDouble(),
        30.0);
    QCOMPARE(
        m_model->index(b, StatTableModel::ValueColumn).data(StatTableModel::SortRole).toDouble(),
        2.5);
    QCOMPARE(
        m_model->index(a, StatTableModel::RateColumn).data(StatTableModel::SortRole).toDouble(),
        10.0);
    QCOMPARE(
        m_model->index(b, StatTableModel::RateColumn).data(StatTableModel::SortRole).toDouble(),
        -std::numeric_limits<double>::infinity()); // no rate sorts below every rate
    QCOMPARE(m_model->index(a, StatTableModel::NameColumn).data(Qt::TextAlignmentRole).toInt()
                 & Qt::AlignLeft,
             Qt::AlignLeft);
}

void tst_StatTableModel::numberFormat_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("integer") << 1234567.0 << u"1,234,567"_s;
    QTest::newRow("large real") << 1234.567 << u"1,235"_s;
    QTest::newRow("real") << 12.346 << u"12.35"_s;
    QTest::newRow("small") << 0.001234 << u"0.00123"_s;
    QTest::newRow("negative") << -2.5 << u"-2.50"_s;
    QTest::newRow("huge") << 1.5e18 << u"1.5E+18"_s;
    QTest::newRow("zero") << 0.0 << u"0"_s;
}

void tst_StatTableModel::numberFormat()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    poll({{u"x"_s, value}});
    QCOMPARE(this->text(u"x"_s, StatTableModel::ValueColumn), text);
}

QTEST_MAIN(tst_StatTableModel)
#include "tst_stattablemodel.moc"

void tst_StatTableModel::namesAsShown_data()
{
    // Names as QJsonDocument reads them: a byte of invalid UTF-8 arrives as a lone U+DC80..U+DCFF.
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("shown");
    QTest::newRow("plain") << u"http.requests"_s << u"http.requests"_s;
    QTest::newRow("utf-8") << u"caf\u00e9"_s << u"caf\u00e9"_s;
    QTest::newRow("latin-1 byte") << QString(u"caf"_s + QChar(0xdce9)) << u"caf\\xe9"_s;
    QTest::newRow("two bytes") << QString(QChar(0xdcc3)) + QChar(0xdcff) << u"\\xc3\\xff"_s;
    QTest::newRow("backslash") << u"a\\xe9"_s << u"a\\\\xe9"_s;
    QTest::newRow("pair is a character") << QString(u"x"_s + QChar(0xd83d) + QChar(0xdc80))
                                         << QString(u"x"_s + QChar(0xd83d) + QChar(0xdc80));
    QTest::newRow("other lone surrogate") << QString(QChar(0xd800)) + u"z"_s << u"\\ud800z"_s;
}

void tst_StatTableModel::namesAsShown()
{
    QFETCH(QString, name);
    QFETCH(QString, shown);
    poll({{name, 1}});
    QCOMPARE(text(name, StatTableModel::NameColumn), shown);
    QCOMPARE(m_model->index(m_model->rowOf(name), StatTableModel::NameColumn)
                 .data(StatTableModel::SortRole)
                 .toString(),
             name);
}

void tst_StatTableModel::invalidUtf8NamesStayApart()
{
    const QString latin1 = u"caf"_s + QChar(0xdce9);
    const QString other = u"caf"_s + QChar(0xdce8);
    poll({{latin1, 1}, {other, 2}, {u"caf\u00e9"_s, 3}});
    QCOMPARE(m_model->rowCount(), 3);
    QSet<QString> shown;
    for (int row = 0; row < m_model->rowCount(); ++row)
        shown.insert(m_model->index(row, StatTableModel::NameColumn).data().toString());
    QCOMPARE(shown, (QSet<QString>{u"caf\\xe9"_s, u"caf\\xe8"_s, u"caf\u00e9"_s}));
    QVERIFY(text(latin1, StatTableModel::NameColumn).contains(u"\\xe9"_s));
}
