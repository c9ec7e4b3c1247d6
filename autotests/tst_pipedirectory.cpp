// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The names of a pipe directory and the words for its files: one owner, read back exactly.

#include <statvent/pipedirectory.h>

#include <QTest>

#include <cerrno>

#include <sys/stat.h>

using namespace Statvent;
using Kind = PipeDirectory::EntryKind;

class PipeDirectoryTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesForAPid()
    {
        QCOMPARE(PipeDirectory::pipeName(1234), QByteArray("1234.stats"));
        QCOMPARE(PipeDirectory::spareName(1234), QByteArray(".1234.stats.next"));
        QCOMPARE(PipeDirectory::socketName(1234), QByteArray("1234.sock"));
    }

    void namesReadBack_data()
    {
        QTest::addColumn<qint64>("pid");
        QTest::newRow("1") << qint64(1);
        QTest::newRow("1234") << qint64(1234);
        QTest::newRow("largest pid_t") << qint64(2147483647);
    }

    void namesReadBack()
    {
        QFETCH(qint64, pid);
        const auto check = [pid](const QByteArray &name, Kind kind) {
            const PipeDirectory::Entry entry = PipeDirectory::parseName(name);
            return entry.kind == kind && entry.pid == pid;
        };
        QVERIFY(check(PipeDirectory::pipeName(pid), Kind::Pipe));
        QVERIFY(check(PipeDirectory::spareName(pid), Kind::Spare));
        QVERIFY(check(PipeDirectory::socketName(pid), Kind::Socket));
    }

    void parseName_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("pid");
        const auto row = [](const char *tag, const char *name, Kind kind, qint64 pid) {
            QTest::newRow(tag) << QByteArray(name) << int(kind) << pid;
        };
        row("pipe", "1234.stats", Kind::Pipe, 1234);
        row("pipe of init", "1.stats", Kind::Pipe, 1);
        row("largest pid_t", "2147483647.stats", Kind::Pipe, 2147483647);
        row("beyond pid_t", "2147483648.stats", Kind::Unrelated, 0);
        row("eleven digits", "12345678901.stats", Kind::Unrelated, 0);
        row("zero", "0.stats", Kind::Unrelated, 0);
        row("leading zero", "0123.stats", Kind::Unrelated, 0);
        row("sign", "+12.stats", Kind::Unrelated, 0);
        row("negative", "-12.stats", Kind::Unrelated, 0);
        row("letters", "12a.stats", Kind::Unrelated, 0);
        row("no pid", ".stats", Kind::Unrelated, 0);
        row("other suffix", "12.stat", Kind::Unrelated, 0);
        row("suffix twice", "12.stats.stats", Kind::Unrelated, 0);
        row("spare", ".12.stats.next", Kind::Spare, 12);
        row("spare without a pid", "..stats.next", Kind::Unrelated, 0);
        row("spare with a leading zero", ".012.stats.next", Kind::Unrelated, 0);
        row("spare without its dot", "12.stats.next", Kind::Unrelated, 0);
        row("hidden pipe", ".12.stats", Kind::Unrelated, 0);
        row("socket", "12.sock", Kind::Socket, 12);
        row("socket without a pid", ".sock", Kind::Unrelated, 0);
        row("hidden socket", ".12.sock", Kind::Unrelated, 0);
        row("dot", ".", Kind::Unrelated, 0);
        row("dot dot", "..", Kind::Unrelated, 0);
        row("empty", "", Kind::Unrelated, 0);
    }

    void parseName()
    {
        QFETCH(QByteArray, name);
        QFETCH(int, kind);
        QFETCH(qint64, pid);
        const PipeDirectory::Entry entry = PipeDirectory::parseName(name);
        QCOMPARE(int(entry.kind), kind);
        QCOMPARE(entry.pid, pid);
    }

    void describeFileType_data()
    {
        QTest::addColumn<uint>("mode");
        QTest::addColumn<QString>("expected");
        QTest::newRow("fifo") << uint(S_IFIFO | 0644) << QStringLiteral("a FIFO");
        QTest::newRow("symlink") << uint(S_IFLNK | 0777) << QStringLiteral("a symbolic link");
        QTest::newRow("file") << uint(S_IFREG | 0600) << QStringLiteral("a regular file");
        QTest::newRow("directory") << uint(S_IFDIR | 0755) << QStringLiteral("a directory");
        QTest::newRow("socket") << uint(S_IFSOCK | 0755) << QStringLiteral("a socket");
        QTest::newRow("character device") << uint(S_IFCHR) << QStringLiteral("a character device");
        QTest::newRow("block device") << uint(S_IFBLK) << QStringLiteral("a block device");
        QTest::newRow("unknown (DT_UNKNOWN)") << uint(0) << QStringLiteral("of an unknown type");
    }

    void describeFileType()
    {
        QFETCH(uint, mode);
        QFETCH(QString, expected);
        QCOMPARE(PipeDirectory::describeFileType(mode_t(mode)), expected);
    }

    void defaultPathFollowsEnvironment()
    {
        qputenv(PipeDirectory::EnvironmentVariable, "/somewhere/else");
        QCOMPARE(PipeDirectory::defaultPath(), QStringLiteral("/somewhere/else"));
        qputenv(PipeDirectory::EnvironmentVariable, "");
        QCOMPARE(PipeDirectory::defaultPath(), QStringLiteral("/tmp/stats-pipe"));
        qunsetenv(PipeDirectory::EnvironmentVariable);
        QCOMPARE(PipeDirectory::defaultPath(), QStringLiteral("/tmp/stats-pipe"));
    }

    void errorText()
    {
        QVERIFY(!PipeDirectory::errorText(ENOENT).isEmpty());
        QVERIFY(PipeDirectory::errorText(ENOENT) != PipeDirectory::errorText(EACCES));
    }
};

QTEST_GUILESS_MAIN(PipeDirectoryTest)
#include "tst_pipedirectory.moc"
