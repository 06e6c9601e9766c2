#pragma once
// Files that are either wholly written or not changed at all: the content goes to a
// temporary file beside the target, is flushed to disk, then renamed over the target.
// A crash (even kill -9) mid-write leaves the previous file intact.
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace faceage {

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write_content);

void write_text_atomically(const std::string& path, const std::string& text);

// Removes the temporary files that writers of `path` killed mid-write left beside it
// (path.tmp.PID, for a PID no longer running); returns how many.
size_t remove_abandoned_temporaries(const std::string& path);

// The whole file as bytes; throws faceage::Error naming the path when unreadable.
std::string read_file_bytes(const std::string& path);

}  // namespace faceage
