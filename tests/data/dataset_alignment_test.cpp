// align_samples (`faceage align`): rows, skipped list, summary counts, resume after a
// crash, order independent of --jobs, and rows that read back as a dataset.
#include "faceage/data/dataset_alignment.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../face/face_test_support.h"
#include "faceage/core/error.h"
#include "faceage/data/sample_csv.h"
#include "faceage/data/utkface_reader.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;
using testing::shared_detector;

// A small raw dataset: UTKFace crops, two FairFace photos with several faces, one corrupt file.
struct SmallDataset {
  std::string folder;
  std::vector<Sample> samples;
};

SmallDataset make_dataset(const std::string& name) {
  SmallDataset d;
  d.folder = testing::temp_dir(name);
  std::vector<fs::path> utkface;
  for (const auto& entry : fs::directory_iterator(fs::path(testing::data_dir()) / "utkface"))
    utkface.push_back(entry.path());
  std::sort(utkface.begin(), utkface.end());
  for (size_t i = 0; i < 8; ++i) {
    const fs::path& source = utkface[i * 997];
    const fs::path copy = fs::path(d.folder) / source.filename();
    fs::copy_file(source, copy);
    Sample s;
    s.image_path = copy.string();
    const auto parsed = parse_utkface_name(source.filename().string());
    if (!parsed.labels) continue;
    s.age = parsed.labels->age;
    s.gender = parsed.labels->gender;
    s.ethnicity = parsed.labels->ethnicity;
    d.samples.push_back(s);
  }
  for (const char* name : {"fairface_0001.jpg", "fairface_0005.jpg"}) {  // 2 and 1 faces
    const fs::path copy = fs::path(d.folder) / name;
    fs::copy_file(fs::path(testing::data_dir()) / "fairface" / name, copy);
    Sample s;
    s.image_path = copy.string();
    s.age = 25;
    d.samples.push_back(s);
  }
  const fs::path corrupt = fs::path(d.folder) / "corrupt.jpg";
  std::ofstream(corrupt) << "not a jpeg";
  Sample bad;
  bad.image_path = corrupt.string();
  bad.age = 40;
  d.samples.push_back(bad);
  return d;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(DatasetAlignment, WritesRowsSkipsAndCounts) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  const SmallDataset d = make_dataset("align-rows");
  ASSERT_EQ(d.samples.size(), 11u);
  const std::string out = d.folder + "/rows.csv";

  DatasetAlignmentOptions options;
  options.jobs = 2;
  size_t progress_calls = 0, last_done = 0;
  options.on_progress = [&](const DatasetAlignmentProgress& p) {
    EXPECT_EQ(p.done, progress_calls == 0 ? 0 : last_done + 1);  // in order, one at a time
    last_done = p.done;
    ++progress_calls;
  };
  const DatasetAlignmentSummary sum = align_samples(d.samples, *detector, out, options);
  EXPECT_EQ(sum.images, 11u);
  EXPECT_EQ(sum.already_done, 0u);
  EXPECT_EQ(sum.unreadable, 1u);
  EXPECT_EQ(sum.aligned + sum.no_face + sum.unreadable, 11u);
  EXPECT_GE(sum.aligned, 9u);
  EXPECT_GE(sum.several_faces, 1u);  // fairface_0001: aligned anyway (policy largest)
  EXPECT_EQ(progress_calls, 12u);

  const auto rows = lines_of(out);
  ASSERT_EQ(rows.size(), sum.aligned + 1);
  EXPECT_EQ(rows[0], "photo,age,gender,race,subject,deg,box1,box2,box3,box4,score,faces");
  const auto skipped = lines_of(skipped_rows_path(out));
  ASSERT_EQ(skipped.size(), 1 + sum.no_face + sum.unreadable);
  EXPECT_EQ(sum.no_face_photos.size(), sum.no_face);  // named, not only counted
  EXPECT_EQ(skipped.back().rfind("corrupt.jpg,unreadable,", 0), 0u) << skipped.back();

  // The rows read back as a dataset, with angle and box, photo paths relative to the CSV.
  const ReadResult back = read_samples_csv(out);
  ASSERT_EQ(back.samples.size(), sum.aligned);
  for (const Sample& s : back.samples) {
    ASSERT_TRUE(s.angle && s.box) << s.image_path;
    EXPECT_TRUE(fs::exists(s.image_path)) << s.image_path;
    EXPECT_GT(s.box->width(), 30);
  }
  EXPECT_EQ(back.samples[0].age, d.samples[0].age);
  EXPECT_EQ(back.samples[0].gender, d.samples[0].gender);
  EXPECT_EQ(fs::path(back.samples[0].image_path).filename(),
            fs::path(d.samples[0].image_path).filename());
}

TEST(DatasetAlignment, ResumesAndDropsACutOffLine) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  const SmallDataset d = make_dataset("align-resume");
  const std::string out = d.folder + "/rows.csv";
  const DatasetAlignmentSummary first = align_samples(d.samples, *detector, out);
  const std::string complete = read_file_bytes(out);

  // A rerun does nothing and changes nothing.
  const DatasetAlignmentSummary again = align_samples(d.samples, *detector, out);
  EXPECT_EQ(again.already_done, 11u);
  EXPECT_EQ(again.aligned + again.no_face + again.unreadable, 0u);
  EXPECT_EQ(read_file_bytes(out), complete);

  // A crash in the middle of the last row: that photo is done again, the rest kept.
  fs::resize_file(out, complete.size() - 20);
  const DatasetAlignmentSummary resumed = align_samples(d.samples, *detector, out);
  EXPECT_EQ(resumed.aligned, 1u);
  EXPECT_EQ(resumed.already_done, 10u);
  EXPECT_EQ(read_file_bytes(out), complete);

  // Asking to retry the skipped photos tries them again (the corrupt one is still corrupt).
  DatasetAlignmentOptions retry;
  retry.retry_skipped = true;
  const DatasetAlignmentSummary retried = align_samples(d.samples, *detector, out, retry);
  EXPECT_EQ(retried.already_done, first.aligned);
  EXPECT_EQ(retried.unreadable, 1u);
  EXPECT_EQ(lines_of(skipped_rows_path(out)).size(), 1 + first.no_face + first.unreadable);
}

TEST(DatasetAlignment, JobsDoNotChangeTheRows) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  const SmallDataset d = make_dataset("align-jobs");
  DatasetAlignmentOptions one, three;
  three.jobs = 3;
  align_samples(d.samples, *detector, d.folder + "/one.csv", one);
  align_samples(d.samples, *detector, d.folder + "/three.csv", three);
  EXPECT_EQ(read_file_bytes(d.folder + "/one.csv"), read_file_bytes(d.folder + "/three.csv"));
  EXPECT_EQ(read_file_bytes(d.folder + "/one.skipped.csv"),
            read_file_bytes(d.folder + "/three.skipped.csv"));
}

TEST(DatasetAlignment, SkipPolicyLeavesPhotosWithSeveralFaces) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  const SmallDataset d = make_dataset("align-skip");
  const std::vector<Sample> fairface(d.samples.begin() + 8, d.samples.begin() + 10);
  DatasetAlignmentOptions options;
  options.alignment.policy = FacePolicy::skip;
  const DatasetAlignmentSummary sum =
      align_samples(fairface, *detector, d.folder + "/skip.csv", options);
  EXPECT_EQ(sum.aligned, 1u);
  EXPECT_EQ(sum.several_faces, 1u);
  const auto skipped = lines_of(d.folder + "/skip.skipped.csv");
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped[1].rfind("fairface_0001.jpg,several_faces,", 0), 0u) << skipped[1];
}

TEST(DatasetAlignment, RefusesToAppendToAnotherFile) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  const std::string folder = testing::temp_dir("align-foreign");
  const std::string out = folder + "/labels.csv";
  write_text_atomically(out, "photo,age\nx.jpg,30\n");
  try {
    align_samples({}, *detector, out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(out), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file_bytes(out), "photo,age\nx.jpg,30\n");
  EXPECT_EQ(skipped_rows_path("/a/rows.csv"), "/a/rows.skipped.csv");
}

}  // namespace
}  // namespace faceage
