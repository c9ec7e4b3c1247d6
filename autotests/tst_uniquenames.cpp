// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// UniqueNames: a text's names kept once each, shared with the text the same writer sent before.

#include <uniquenames.h>

#include <QByteArrayList>
#include <QTest>

using Statvent::Detail::NameRepeats;
using Statvent::Detail::UniqueNames;

namespace {

struct Row
{
    QByteArray name;
};

QList<Row> rowsOf(const QByteArrayList &names)
{
    QList<Row> rows;
    for (const QByteArray &name : names)
        rows.append(Row{name});
    return rows;
}

} // namespace

class tst_UniqueNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsEachNameOnce_data();
    void keepsEachNameOnce();
    void thousandsOfNamesAfterADeparture();
};

void tst_UniqueNames::keepsEachNameOnce_data()
{
    QTest::addColumn<QByteArrayList>("previous");
    QTest::addColumn<QByteArrayList>("names");
    QTest::addColumn<bool>("rejectRepeats");
    QTest::addColumn<QByteArrayList>("kept");
    QTest::addColumn<int>("shared");

    const QByteArrayList abc{"a", "b", "c"};
    QTest::newRow("nothing before") << QByteArrayList() << abc << true << abc << 0;
    QTest::newRow("the same names") << abc << abc << true << abc << 3;
    QTest::newRow("one more at the end") << abc << QByteArrayList{"a", "b", "c", "d"} << true
                                         << QByteArrayList{"a", "b", "c", "d"} << 3;
    QTest::newRow("one fewer at the start")
        << abc << QByteArrayList{"b", "c"} << true << QByteArrayList{"b", "c"} << 0;
    QTest::newRow("a repeat of a name before the departure")
        << abc << QByteArrayList{"a", "b", "a", "c"} << true << abc << 2;
    QTest::newRow("a repeat of the name the previous text has next")
        << abc << QByteArrayList{"a", "c", "b", "c"} << true << QByteArrayList{"a", "c", "b"} << 1;
    QTest::newRow("a repeat of a name after the departure")
        << abc << QByteArrayList{"x", "y", "x"} << true << QByteArrayList{"x", "y"} << 0;
    QTest::newRow("repeats kept when asked")
        << abc << QByteArrayList{"a", "b", "a"} << false << QByteArrayList{"a", "b", "a"} << 2;
    QTest::newRow("the empty name")
        << QByteArrayList{""} << QByteArrayList{"", ""} << true << QByteArrayList{""} << 0;
}

void tst_UniqueNames::keepsEachNameOnce()
{
    QFETCH(QByteArrayList, previous);
    QFETCH(QByteArrayList, names);
    QFETCH(bool, rejectRepeats);
    QFETCH(QByteArrayList, kept);
    QFETCH(int, shared);

    const QList<Row> before = rowsOf(previous);
    QList<Row> rows;
    UniqueNames<Row> unique(rows, &Row::name, before,
                            rejectRepeats ? NameRepeats::Reject : NameRepeats::Keep);
    for (const QByteArray &name : names) {
        // Given a copy of its own, so that sharing means the previous row's bytes.
        const QByteArray read(name.constData(), name.size());
        unique.add(read, [&](QByteArray keptName) { rows.append(Row{std::move(keptName)}); });
    }

    QByteArrayList keptNames;
    int sharedNames = 0;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        keptNames.append(rows[i].name);
        // An empty QByteArray has no bytes of its own to share.
        if (i < before.size() && !rows[i].name.isEmpty())
            sharedNames += rows[i].name.constData() == before[i].name.constData();
    }
    QCOMPARE(keptNames, kept);
    QCOMPARE(sharedNames, shared);
}

void tst_UniqueNames::thousandsOfNamesAfterADeparture()
{
    // The index is built from 3,000 rows when the text departs, then grows past its first size.
    QByteArrayList previous;
    QByteArrayList names;
    for (int i = 0; i < 3000; ++i)
        previous.append("n." + QByteArray::number(i));
    names = previous;
    for (int i = 3000; i < 9000; ++i)
        names.append("n." + QByteArray::number(i));
    for (int i = 0; i < 9000; i += 7)
        names.append("n." + QByteArray::number(i)); // every one a repeat

    const QList<Row> before = rowsOf(previous);
    QList<Row> rows;
    UniqueNames<Row> unique(rows, &Row::name, before, NameRepeats::Reject, 16);
    int rejected = 0;
    for (const QByteArray &name : names) {
        if (!unique.add(name, [&](QByteArray keptName) { rows.append(Row{std::move(keptName)}); }))
            ++rejected;
    }
    QCOMPARE(rows.size(), 9000);
    QCOMPARE(rejected, (9000 + 6) / 7);
    QCOMPARE(rows.constLast().name, QByteArray("n.8999"));
}

QTEST_GUILESS_MAIN(tst_UniqueNames)

#include "tst_uniquenames.moc"
