// The pgq schema shipped inside the binary (generated from sql/ at build time).
#pragma once
#include <string_view>

namespace pgqadm::schema {
/// Install-or-upgrade script: the files of sql/install.list, concatenated.
std::string_view install_sql();
/// Removes the schema again (sql/uninstall.sql).
std::string_view uninstall_sql();
} // namespace pgqadm::schema
