// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// NameArena: copies of names packed into shared blocks, each freed with its last name.

#include <namearena.h>

#include <QTest>

#include <optional>

using Statvent::Detail::NameArena;

namespace {

//! The heap block that holds \a name's bytes.
const void *blockOf(QByteArray name) // a copy: data_ptr() is not const
{
    return name.data_ptr().d_ptr();
}

} // namespace

class tst_NameArena : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void copiesAreEqualAndTerminated_data();
    void copiesAreEqualAndTerminated();
    void copiesOfOneArenaArePacked();
    void copiesOutliveTheArena();
    void aChangedCopyLeavesTheOthers();
};

void tst_NameArena::copiesAreEqualAndTerminated_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("short") << QByteArray("stat.1");
    QTest::newRow("spaces and colons") << QByteArray(" a: b ");
    QTest::newRow("longer than a block") << QByteArray(40000, 'x');
}

void tst_NameArena::copiesAreEqualAndTerminated()
{
    QFETCH(QByteArray, name);
    NameArena arena;
    const QByteArray before = arena.copy("before");
    const QByteArray copy = arena.copy(name);
    const QByteArray after = arena.copy("after");
    QCOMPARE(copy, name);
    QCOMPARE(copy.constData()[copy.size()], '\0');
    QCOMPARE(before, QByteArray("before"));
    QCOMPARE(after, QByteArray("after"));
}

void tst_NameArena::copiesOfOneArenaArePacked()
{
    NameArena arena;
    const QByteArray first = arena.copy("first");
    const QByteArray second = arena.copy("second");
    // Next to each other, with the first's terminating NUL between them: one block.
    QCOMPARE(second.constData(), first.constData() + first.size() + 1);
    QCOMPARE(blockOf(first), blockOf(second));
    // Thousands of names fill several blocks, and each keeps its bytes.
    QList<QByteArray> many;
    for (int i = 0; i < 5000; ++i)
        many.append(arena.copy(QByteArray("service.endpoint." + QByteArray::number(i))));
    QVERIFY(blockOf(many.constFirst()) != blockOf(many.constLast()));
    for (int i = 0; i < 5000; ++i)
        QCOMPARE(many.at(i), "service.endpoint." + QByteArray::number(i));
}

void tst_NameArena::copiesOutliveTheArena()
{
    std::optional<NameArena> arena(std::in_place);
    QByteArray kept = arena->copy("kept");
    QByteArray dropped = arena->copy("dropped");
    arena.reset();
    dropped = QByteArray();
    // The block lives on with its last name (AddressSanitizer's builds see any early free).
    QCOMPARE(kept, QByteArray("kept"));
    QVERIFY(kept.isDetached()); // its block's only holder now
}

void tst_NameArena::aChangedCopyLeavesTheOthers()
{
    NameArena arena;
    QByteArray first = arena.copy("abc");
    const QByteArray second = arena.copy("def");
    first.append("XYZ");
    QCOMPARE(first, QByteArray("abcXYZ"));
    QCOMPARE(second, QByteArray("def"));
    QByteArray third = arena.copy("ghi");
    QCOMPARE(second, QByteArray("def"));
    QCOMPARE(third, QByteArray("ghi"));
}

QTEST_GUILESS_MAIN(tst_NameArena)
#include "tst_namearena.moc"
