// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_PERCENTILEGROUPS_H
#define STATVENTDASHBOARD_PERCENTILEGROUPS_H

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace StatventDashboard {

/*!
 * Finds the stats that are aggregates of one sample window: names that differ only by an
 * aggregate label (`median`, `mean`, `95th`, `99.9th`, `1st`... as Statvent::Aggregates::isLabel()
 * recognises them), wherever the label stands and whatever the punctuation around it.
 *
 * A label is a whole word: it starts and ends at the name's ends or next to a character that is
 * neither a letter nor a digit, so `meantime` or `ipv4th` hold no label. Replacing the label by
 * `{0}` gives the name's pattern; a pattern shared by two names or more is a group
 * (`foo->baz->median` and `foo->baz->95th` make `foo->baz->{0}`). A name with several labels
 * (`disk.1st.median`) joins the pattern with the most members; on a tie, the label further right,
 * where formatters put it. A lone `median.requests` stays a plain stat.
 *
 * That is a guess, made only for what no one says: when the service names a process's windows
 * and their rows (statvent-web over a process's socket), those are the groups, whatever their
 * names look like (withWindows()); the guess is left for the other names (processes read over
 * their FIFO, older services).
 */
class PercentileGroups
{
public:
    struct Member
    {
        QString label; //!< `median`, `95th`, `mean`...
        QString name; //!< the full stat name
        double rank = 0; //!< orders lines: the percentile (median = 50), `mean` last
    };

    struct Group
    {
        QString pattern; //!< the name with `{0}` for the label
        QList<Member> members; //!< ordered by rank
    };

    //! A label found in a name: where it starts and how long it is (in UTF-16 units).
    struct LabelSpan
    {
        qsizetype start = 0;
        qsizetype length = 0;
        friend bool operator==(const LabelSpan &, const LabelSpan &) = default;
    };

    PercentileGroups() = default;
    //! Groups \a names. Names that are in no group are left out.
    static PercentileGroups detect(const QStringList &names);
    /*!
     * The \a windows the service declared (pattern: the window's name; members: its rows), with
     * only the members among \a names, and the groups detect() finds among the names no window
     * claims. A window with no member among \a names is left out.
     */
    static PercentileGroups withWindows(const QList<Group> &windows, const QStringList &names);

    //! The groups, ordered by pattern (case-insensitively).
    const QList<Group> &groups() const { return m_groups; }
    //! True when \a name belongs to a group.
    bool contains(const QString &name) const { return m_groupOfName.contains(name); }
    //! The pattern of the group holding \a name, or an empty string.
    QString patternOf(const QString &name) const;

    //! Every aggregate label in \a name, left to right, each the longest that fits there.
    static QList<LabelSpan> labelSpans(QStringView name);
    //! The rank of a label: its percentile, 50 for `median`, after every percentile for `mean`.
    static double rankOf(QStringView label);

    friend bool operator==(const PercentileGroups &a, const PercentileGroups &b)
    {
        return a.m_groupOfName == b.m_groupOfName;
    }

private:
    //! Orders \a groups and indexes their members.
    static PercentileGroups fromGroups(QList<Group> groups);

    QList<Group> m_groups;
    QHash<QString, qsizetype> m_groupOfName;
};

} // namespace StatventDashboard

#endif
