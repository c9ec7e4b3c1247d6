// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// NameIndex: the name -> row index behind the snapshot readers' repeated-name checks and
// statvent-web's combining.

#include <nameindex.h>

#include <QByteArrayList>
#include <QTest>

using Statvent::Detail::NameIndex;

class tst_NameIndex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsWhatWasInserted();
    void growsBeyondItsFirstSize_data();
    void growsBeyondItsFirstSize();
    void namesAreComparedByteForByte();
    void findThenInsertAKeptCopy();
};

void tst_NameIndex::findsWhatWasInserted()
{
    NameIndex index;
    QCOMPARE(index.findOrInsert("a", 0), -1);
    QCOMPARE(index.findOrInsert("b", 1), -1);
    QCOMPARE(index.findOrInsert("a", 7), 0); // found: the row given the first time
    QCOMPARE(index.findOrInsert("b", 8), 1);
    QCOMPARE(index.findOrInsert("", 2), -1); // the empty name is a name like any other
    QCOMPARE(index.findOrInsert("", 9), 2);
}

void tst_NameIndex::growsBeyondItsFirstSize_data()
{
    QTest::addColumn<int>("expected");
    QTest::newRow("no guess") << 0;
    QTest::newRow("right guess") << 20000;
    QTest::newRow("guess too small") << 10;
}

void tst_NameIndex::growsBeyondItsFirstSize()
{
    QFETCH(int, expected);
    QByteArrayList names; // the index keeps views: the names must outlive it
    for (int i = 0; i < 20000; ++i)
        names.append("service.endpoint." + QByteArray::number(i) + ".requests");
    NameIndex index(expected);
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(index.findOrInsert(names.at(i), i), -1);
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(index.findOrInsert(names.at(i), -2), i);
}

void tst_NameIndex::namesAreComparedByteForByte()
{
    NameIndex index;
    const QByteArrayList names{"caf\xc3\xa9",           "caf\xe9", "caf", "cafe",
                               QByteArray("caf\0e", 5), "CAFE"};
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(index.findOrInsert(names.at(i), i), -1);
    for (int i = 0; i < names.size(); ++i)
        QCOMPARE(index.findOrInsert(names.at(i), -2), i);
}

void tst_NameIndex::findThenInsertAKeptCopy()
{
    NameIndex index;
    QList<QByteArray> kept;
    kept.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
        // Looked up in a buffer that is reused; only the copy inserted stays alive.
        QByteArray scratch = "name." + QByteArray::number(i % 500);
        const NameIndex::Probe probe = index.find(scratch);
        if (i < 500) {
            QCOMPARE(probe.row, -1);
            kept.append(scratch);
            index.insert(probe, kept.constLast(), i);
        } else {
            QCOMPARE(probe.row, i - 500);
        }
        scratch.fill('x');
    }
    QCOMPARE(index.findOrInsert("name.499", 9999), 499);
}

QTEST_GUILESS_MAIN(tst_NameIndex)
#include "tst_nameindex.moc"
