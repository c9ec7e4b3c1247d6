// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Runs a fuzz target over saved inputs, for builds without libFuzzer (any compiler): each
// argument is a file, or a directory whose regular files are all run, in name order. CTest runs
// it over the committed corpus, so that every input that once broke a property stays a test.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

std::vector<std::filesystem::path> inputsIn(const std::filesystem::path &path)
{
    if (!std::filesystem::is_directory(path))
        return {path};
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file())
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char *argv[])
{
    int runs = 0;
    for (int i = 1; i < argc; ++i) {
        for (const std::filesystem::path &file : inputsIn(argv[i])) {
            std::ifstream stream(file, std::ios::binary);
            if (!stream) {
                std::fprintf(stderr, "cannot read %s\n", file.c_str());
                return 1;
            }
            const std::vector<uint8_t> data{std::istreambuf_iterator<char>(stream),
                                            std::istreambuf_iterator<char>()};
            std::printf("running %s (%zu bytes)\n", file.c_str(), data.size());
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(data.data(), data.size());
            ++runs;
        }
    }
    std::printf("%d inputs passed\n", runs);
    // No input at all means a wrong path, not a pass.
    return runs > 0 ? 0 : 1;
}
