// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardlogging.h>

namespace StatventDashboard {

Q_LOGGING_CATEGORY(lcDashboard, "statvent.dashboard", QtInfoMsg)

} // namespace StatventDashboard
