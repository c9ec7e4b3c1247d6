// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/percentilegroups.h>

#include <QTest>

#include <limits>

using namespace StatventDashboard;
using namespace Qt::StringLiterals;

namespace {

// A grouping in a form QCOMPARE can show: "pattern: label=name, label=name; ..."
QString describe(const PercentileGroups &groups)
{
    QStringList parts;
    for (const PercentileGroups::Group &group : groups.groups()) {
        QStringList members;
        for (const PercentileGroups::Member &member : group.members)
            members.append(member.label + u'=' + member.name);
        parts.append(group.pattern + u": "_s + members.join(u", "_s));
    }
    return parts.join(u"; "_s);
}

} // namespace

class tst_PercentileGroups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void detect_data();
    void detect();
    void labelSpans_data();
    void labelSpans();
    void rankOf_data();
    void rankOf();
    void membership();
    void windowsDeclaredByTheService_data();
    void windowsDeclaredByTheService();
    void manyNamesStayFast();
};

void tst_PercentileGroups::detect_data()
{
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("groups");

    QTest::newRow("original arrows")
        << QStringList{u"foo->baz->median"_s, u"foo->baz->95th"_s, u"foo->baz->99th"_s,
                       u"foo->baz->100th"_s, u"foo->baz->mean"_s}
        << u"foo->baz->{0}: median=foo->baz->median, 95th=foo->baz->95th, 99th=foo->baz->99th, "
           u"100th=foo->baz->100th, mean=foo->baz->mean"_s;
    QTest::newRow("default formatter dots")
        << QStringList{u"latency.99th"_s, u"latency.median"_s}
        << u"latency.{0}: median=latency.median, 99th=latency.99th"_s;
    QTest::newRow("fractional and small ordinals")
        << QStringList{u"rtt.99.9th"_s, u"rtt.1st"_s, u"rtt.2nd"_s, u"rtt.3rd"_s, u"rtt.median"_s}
        << u"rtt.{0}: 1st=rtt.1st, 2nd=rtt.2nd, 3rd=rtt.3rd, median=rtt.median, 99.9th=rtt.99.9th"_s;
    QTest::newRow("label in the middle")
        << QStringList{u"db.median.ms"_s, u"db.99th.ms"_s, u"db.count"_s}
        << u"db.{0}.ms: median=db.median.ms, 99th=db.99th.ms"_s;
    QTest::newRow("custom format with brackets")
        << QStringList{u"latency[p=95th]"_s, u"latency[p=median]"_s}
        << u"latency[p={0}]: median=latency[p=median], 95th=latency[p=95th]"_s;
    QTest::newRow("underscores")
        << QStringList{u"http_latency_95th_seconds"_s, u"http_latency_mean_seconds"_s}
        << u"http_latency_{0}_seconds: 95th=http_latency_95th_seconds, mean=http_latency_mean_seconds"_s;
    QTest::newRow("label first")
        << QStringList{u"median: queue wait"_s, u"99th: queue wait"_s}
        << u"{0}: queue wait: median=median: queue wait, 99th=99th: queue wait"_s;
    QTest::newRow("a lone aggregate is no group")
        << QStringList{u"latency.median"_s, u"requests"_s} << QString();
    QTest::newRow("names merely containing label words")
        << QStringList{u"median.requests"_s, u"mean.time"_s, u"meantime"_s, u"medianish.x"_s}
        << QString();
    QTest::newRow("label words in different places")
        << QStringList{u"median.requests"_s, u"requests.median"_s} << QString();
    QTest::newRow("same label word, different stats")
        << QStringList{u"mean.time"_s, u"mean.size"_s} << QString();
    QTest::newRow("labels glued to words are not labels")
        << QStringList{u"ipv4th.a"_s, u"ipv6th.a"_s, u"x95th"_s, u"x99th"_s, u"95thx"_s, u"99thx"_s}
        << QString();
    QTest::newRow("not ordinals") << QStringList{u"a.95"_s,   u"a.99"_s,   u"b.th"_s,   u"b.st"_s,
                                                 u"c.9.th"_s, u"c.8.th"_s, u"d.95TH"_s, u"d.99TH"_s}
                                  << QString();
    QTest::newRow("two groups, sorted case-insensitively")
        << QStringList{u"b.median"_s, u"b.mean"_s, u"A.median"_s, u"A.99th"_s}
        << u"A.{0}: median=A.median, 99th=A.99th; b.{0}: median=b.median, mean=b.mean"_s;
    QTest::newRow("two labels: the bigger pattern wins")
        << QStringList{u"disk.1st.median"_s, u"disk.1st.99th"_s, u"disk.1st.mean"_s,
                       u"disk.2nd.median"_s}
        << u"disk.1st.{0}: median=disk.1st.median, 99th=disk.1st.99th, mean=disk.1st.mean"_s;
    QTest::newRow("two labels: a tie goes to the rightmost")
        << QStringList{u"disk.1st.median"_s, u"disk.1st.99th"_s, u"disk.2nd.median"_s,
                       u"disk.2nd.99th"_s}
        << u"disk.1st.{0}: median=disk.1st.median, 99th=disk.1st.99th; "
           u"disk.2nd.{0}: median=disk.2nd.median, 99th=disk.2nd.99th"_s;
    QTest::newRow("braces in names stay literal")
        << QStringList{u"odd{0}.median"_s, u"odd{0}.95th"_s}
        << u"odd{0}.{0}: median=odd{0}.median, 95th=odd{0}.95th"_s;
    QTest::newRow("non-ASCII names")
        << QStringList{u"Latenz ÄÖÜ.median"_s, u"Latenz ÄÖÜ.95th"_s, u"größe.mean"_s}
        << u"Latenz ÄÖÜ.{0}: median=Latenz ÄÖÜ.median, 95th=Latenz ÄÖÜ.95th"_s;
    QTest::newRow("no names") << QStringList() << QString();
}

void tst_PercentileGroups::detect()
{
    QFETCH(QStringList, names);
    QFETCH(QString, groups);
    QCOMPARE(describe(PercentileGroups::detect(names)), groups);
}

void tst_PercentileGroups::labelSpans_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("labels");

    QTest::newRow("end") << u"latency.median"_s << QStringList{u"median"_s};
    QTest::newRow("longest at one place") << u"latency.99.9th"_s << QStringList{u"99.9th"_s};
    QTest::newRow("several") << u"median.of.95th"_s << QStringList{u"median"_s, u"95th"_s};
    QTest::newRow("whole name") << u"mean"_s << QStringList{u"mean"_s};
    QTest::newRow("inside a word") << u"meantime"_s << QStringList();
    QTest::newRow("glued digits") << u"v95th"_s << QStringList();
    QTest::newRow("after digits and a dot") << u"v1.2nd"_s << QStringList{u"2nd"_s};
    QTest::newRow("empty") << QString() << QStringList();
}

void tst_PercentileGroups::labelSpans()
{
    QFETCH(QString, name);
    QFETCH(QStringList, labels);
    QStringList found;
    for (const PercentileGroups::LabelSpan &span : PercentileGroups::labelSpans(name))
        found.append(name.sliced(span.start, span.length));
    QCOMPARE(found, labels);
}

void tst_PercentileGroups::rankOf_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<double>("rank");
    QTest::newRow("median") << u"median"_s << 50.0;
    QTest::newRow("95th") << u"95th"_s << 95.0;
    QTest::newRow("99.9th") << u"99.9th"_s << 99.9;
    QTest::newRow("1st") << u"1st"_s << 1.0;
    QTest::newRow("100th") << u"100th"_s << 100.0;
    QTest::newRow("mean last") << u"mean"_s << std::numeric_limits<double>::max();
}

void tst_PercentileGroups::rankOf()
{
    QFETCH(QString, label);
    QFETCH(double, rank);
    QCOMPARE(PercentileGroups::rankOf(label), rank);
}

void tst_PercentileGroups::membership()
{
    const PercentileGroups groups =
        PercentileGroups::detect({u"a.median"_s, u"a.99th"_s, u"median.requests"_s, u"b"_s});
    QVERIFY(groups.contains(u"a.median"_s));
    QVERIFY(groups.contains(u"a.99th"_s));
    QVERIFY(!groups.contains(u"median.requests"_s));
    QVERIFY(!groups.contains(u"b"_s));
    QCOMPARE(groups.patternOf(u"a.99th"_s), u"a.{0}"_s);
    QCOMPARE(groups.patternOf(u"b"_s), QString());
    QCOMPARE(groups,
             PercentileGroups::detect({u"b"_s, u"a.99th"_s, u"median.requests"_s, u"a.median"_s}));
}

void tst_PercentileGroups::windowsDeclaredByTheService_data()
{
    using Group = PercentileGroups::Group;
    const auto window = [](const QString &name, const QList<std::pair<QString, QString>> &rows) {
        Group group{name, {}};
        for (const auto &[label, row] : rows)
            group.members.append({label, row, PercentileGroups::rankOf(label)});
        return group;
    };
    QTest::addColumn<QList<Group>>("windows");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("groups");

    // A formatter's names that no label parsing could read.
    const Group custom = window(u"rpc"_s, {{u"median"_s, u"rpc_p50"_s}, {u"99th"_s, u"rpc_p99"_s}});
    QTest::newRow("rows named anyhow")
        << QList<Group>{custom} << QStringList{u"rpc_p50"_s, u"rpc_p99"_s}
        << u"rpc: median=rpc_p50, 99th=rpc_p99"_s;
    // A window's lone row is still a window's; the guess never groups one name.
    QTest::newRow("one row present")
        << QList<Group>{window(u"solo.{0}"_s,
                               {{u"median"_s, u"solo.median"_s}, {u"mean"_s, u"solo.mean"_s}})}
        << QStringList{u"solo.median"_s, u"requests"_s} << u"solo.{0}: median=solo.median"_s;
    // Names no window claims (a FIFO process's) are grouped by their labels.
    QTest::newRow("guess for the rest")
        << QList<Group>{custom}
        << QStringList{u"rpc_p50"_s, u"disk.median"_s, u"disk.mean"_s, u"rpc_p99"_s}
        << u"disk.{0}: median=disk.median, mean=disk.mean; rpc: median=rpc_p50, 99th=rpc_p99"_s;
    // A FIFO process with other percentiles of a window of the same name: one chart.
    QTest::newRow("guessed rows of the same pattern")
        << QList<Group>{window(u"lat.{0}"_s,
                               {{u"median"_s, u"lat.median"_s}, {u"mean"_s, u"lat.mean"_s}})}
        << QStringList{u"lat.median"_s, u"lat.mean"_s, u"lat.75th"_s, u"lat.90th"_s}
        << u"lat.{0}: median=lat.median, 75th=lat.75th, 90th=lat.90th, mean=lat.mean"_s;
    QTest::newRow("window with no row present")
        << QList<Group>{custom} << QStringList{u"a.median"_s, u"a.mean"_s}
        << u"a.{0}: median=a.median, mean=a.mean"_s;
}

void tst_PercentileGroups::windowsDeclaredByTheService()
{
    QFETCH(QList<PercentileGroups::Group>, windows);
    QFETCH(QStringList, names);
    QFETCH(QString, groups);
    const PercentileGroups found = PercentileGroups::withWindows(windows, names);
    QCOMPARE(describe(found), groups);
    for (const PercentileGroups::Group &group : found.groups()) {
        for (const PercentileGroups::Member &member : group.members)
            QCOMPARE(found.patternOf(member.name), group.pattern);
    }
}

void tst_PercentileGroups::manyNamesStayFast()
{
    // 10,000 names (2,000 windows of 5 aggregates) group in one pass; a quadratic search would
    // take minutes here, so finishing at all within the test's time limit is the assertion.
    QStringList names;
    for (int window = 0; window < 2000; ++window) {
        for (const auto *label : {"median", "95th", "99th", "100th", "mean"})
            names.append(u"service.w%1.latency.%2"_s.arg(window).arg(QLatin1StringView(label)));
    }
    const PercentileGroups groups = PercentileGroups::detect(names);
    QCOMPARE(groups.groups().size(), 2000);
    QCOMPARE(groups.groups().constFirst().members.size(), 5);
}

QTEST_GUILESS_MAIN(tst_PercentileGroups)
#include "tst_percentilegroups.moc"
