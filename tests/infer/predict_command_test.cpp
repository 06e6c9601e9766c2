// `faceage predict` and `faceage export` end to end, through the built command.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "faceage/model/model_file.h"
#include "infer_test_support.h"
#include "run_command.h"

namespace faceage::testing {
namespace {

std::vector<nlohmann::json> json_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(PredictCommand, PhotosFoldersAndABadFileGiveOneLineEachAndASummary) {
  // Exit code 3: a partial failure (the broken file), the rest predicted.
  const std::string model = small_model_file("predict_cli_model");
  const std::string dir = temp_dir("predict_cli");
  std::filesystem::create_directories(dir + "/photos/nested");
  std::filesystem::copy_file(fairface_photo(1), dir + "/photos/nested/two.jpg");
  std::ofstream(dir + "/photos/broken.jpg") << "not a jpeg";
  const CommandResult result = run_command(
      cli_path() + " predict --threads 1 --model " + model + " " + fairface_photo(3) + " " + dir +
      "/photos --output " + dir + "/out.jsonl --annotate " + dir + "/annotated");
  ASSERT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("3 faces"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 failed"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("broken.jpg"), std::string::npos) << result.output;

  const std::vector<nlohmann::json> lines = json_lines(dir + "/out.jsonl");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["faces"].size(), 1u);
  EXPECT_EQ(lines[1]["source"], dir + "/photos/broken.jpg");
  EXPECT_TRUE(lines[1].contains("error"));
  ASSERT_EQ(lines[2]["faces"].size(), 2u);
  const nlohmann::json& face = lines[2]["faces"][0];
  for (const char* key : {"box", "score", "landmarks", "age", "age_std", "age_interval", "gender",
                          "ethnicity"})
    EXPECT_TRUE(face.contains(key)) << key;
  EXPECT_EQ(face["landmarks"].size(), 5u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/annotated/two.jpg"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/annotated/" +
                                      std::filesystem::path(fairface_photo(3)).stem().string() + ".jpg"));
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(PredictCommand, EachBadInputIsOneStderrLineAndCountedWhileTheBatchCompletes) {
  const std::string model = small_model_file("predict_bad_inputs_model");
  const std::string dir = temp_dir("predict_bad_inputs");
  std::ifstream photo(fairface_photo(5), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(photo)), std::istreambuf_iterator<char>());
  std::ofstream(dir + "/a_truncated.jpg", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  std::ofstream(dir + "/b_empty.jpg");
  std::ofstream(dir + "/c_text.jpg") << "this is a text file, not a photo\n";
  cv::imwrite(dir + "/d_no_face.png", cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 140, 60)));
  std::filesystem::copy_file(fairface_photo(5), dir + "/e_good.jpg");
  const CommandResult result =
      run_command(cli_path() + " predict --threads 1 --model " + model + " " + dir + " -o " + dir + "/out.jsonl");
  EXPECT_EQ(result.exit_code, 3) << result.output;  // partial failure
  for (const char* name : {"b_empty.jpg", "c_text.jpg", "d_no_face.png"})
    EXPECT_EQ(count_of(result.output, name), 1u) << name << "\n" << result.output;
  EXPECT_NE(result.output.find("a_truncated.jpg"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("(1 pictures without a face), 3 failed"), std::string::npos)
      << result.output;
  const std::vector<nlohmann::json> lines = json_lines(dir + "/out.jsonl");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[4]["faces"].size(), 1u);  // the good photo after the bad ones
}

TEST(PredictCommand, AOnePixelImageIsReadAndCountedAsWithoutAFace) {
  const std::string model = small_model_file("predict_one_pixel_model");
  const std::string dir = temp_dir("predict_one_pixel");
  cv::imwrite(dir + "/pixel.png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(40, 80, 120)));
  const CommandResult result = run_command(cli_path() + " predict --threads 1 --model " + model +
                                           " " + dir + "/pixel.png -o " + dir + "/out.jsonl");
  EXPECT_EQ(result.exit_code, 0) << result.output;  // read fine: not a failure
  EXPECT_NE(result.output.find("(1 pictures without a face), 0 failed"), std::string::npos)
      << result.output;
  const std::vector<nlohmann::json> lines = json_lines(dir + "/out.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["width"], 1);
  EXPECT_TRUE(lines[0]["faces"].empty());
}

TEST(PredictCommand, VideoFramesKeepOneTrackPerFaceWithSmoothedAges) {
  const std::string model = small_model_file("predict_video_model");
  const std::string dir = temp_dir("predict_video");
  const cv::Mat photo = cv::imread(fairface_photo(5));
  cv::VideoWriter writer(dir + "/clip.avi", cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10,
                         photo.size());
  ASSERT_TRUE(writer.isOpened());
  for (int frame = 0; frame < 6; ++frame) {  // the face drifts 2 px right per frame
    cv::Mat shifted;
    cv::warpAffine(photo, shifted, cv::Mat(cv::Matx23d(1, 0, 2.0 * frame, 0, 1, 0)), photo.size(),
                   cv::INTER_LINEAR, cv::BORDER_REFLECT);
    writer.write(shifted);
  }
  writer.release();
  const CommandResult result = run_command(cli_path() + " predict --threads 1 --model " + model +
                                           " " + dir + "/clip.avi -o " + dir + "/out.jsonl --every 2 --annotate " + dir + "/annotated");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::vector<nlohmann::json> lines = json_lines(dir + "/out.jsonl");
  ASSERT_EQ(lines.size(), 3u);  // frames 0, 2, 4
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["frame"], static_cast<int>(2 * i));
    ASSERT_EQ(lines[i]["faces"].size(), 1u) << lines[i].dump();
    EXPECT_EQ(lines[i]["faces"][0]["track_id"], lines[0]["faces"][0]["track_id"]);
    EXPECT_TRUE(lines[i]["faces"][0].contains("smoothed_age"));
  }
  EXPECT_GT(std::filesystem::file_size(dir + "/annotated/clip.avi"), 1000u);
}

TEST(PredictCommand, CroppedInputsSkipDetection) {
  const std::string model = small_model_file("predict_cropped_model");
  const CommandResult result =
      run_command(cli_path() + " predict --threads 1 --quiet --cropped --model " + model + " " +
                  fairface_photo(5));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json line = nlohmann::json::parse(result.output);
  ASSERT_EQ(line["faces"].size(), 1u);
  EXPECT_FALSE(line["faces"][0].contains("box"));
  EXPECT_TRUE(line["faces"][0].contains("age"));
}

TEST(PredictCommand, NothingReadableIsExitCode1AndAMissingPathIsNamed) {
  const std::string model = small_model_file("predict_nothing_model");
  const std::string dir = temp_dir("predict_nothing");
  std::ofstream(dir + "/empty.jpg");
  EXPECT_EQ(run_command(cli_path() + " predict --model " + model + " " + dir + "/empty.jpg").exit_code, 1);
  const CommandResult missing =
      run_command(cli_path() + " predict --model " + model + " " + dir + "/missing.png");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("missing.png"), std::string::npos) << missing.output;
}

TEST(PredictCommand, SkippedFolderEntriesAreNamedAndCountedAndAnEmptyFolderIsAnError) {
  const std::string model = small_model_file("predict_skips_model");
  const std::string dir = temp_dir("predict_skips");
  std::filesystem::create_directories(dir + "/photos");
  std::filesystem::copy_file(fairface_photo(3), dir + "/photos/face.jpg");
  std::ofstream(dir + "/photos/anim.gif", std::ios::binary) << "GIF89a\x01\x00junk";
  std::filesystem::create_symlink(dir + "/gone.jpg", dir + "/photos/dangling.jpg");
  const CommandResult run = run_command(cli_path() + " predict --threads 1 --model " + model +
                                        " " + dir + "/photos --output " + dir + "/out.jsonl");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(count_of(run.output, "faceage predict: skipped " + dir + "/photos/anim.gif: unsupported format (.gif)"), 1u)
      << run.output;
  EXPECT_EQ(count_of(run.output, "faceage predict: skipped " + dir + "/photos/dangling.jpg: broken symbolic link"), 1u)
      << run.output;
  EXPECT_NE(run.output.find("1 images"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("2 skipped"), std::string::npos) << run.output;
  EXPECT_EQ(json_lines(dir + "/out.jsonl").size(), 1u);

  // Nothing to look at: exit code 1 and one line naming the folder.
  std::filesystem::create_directories(dir + "/empty");
  const CommandResult empty = run_command(cli_path() + " predict --model " + model + " " + dir + "/empty");
  EXPECT_EQ(empty.exit_code, 1) << empty.output;
  EXPECT_EQ(count_of(empty.output, "\n"), 1u) << empty.output;
  EXPECT_NE(empty.output.find(dir + "/empty: no photo or video found"), std::string::npos) << empty.output;
  std::filesystem::create_directories(dir + "/x.jpg");
  const CommandResult named = run_command(cli_path() + " predict --model " + model + " " + dir + "/x.jpg");
  EXPECT_EQ(named.exit_code, 1) << named.output;
  EXPECT_NE(named.output.find("x.jpg: no photo or video found"), std::string::npos) << named.output;
  // An empty folder next to a photo: that photo is predicted, the folder is a failed input.
  const CommandResult mixed = run_command(cli_path() + " predict --threads 1 --model " + model + " " +
                                          fairface_photo(3) + " " + dir + "/empty");
  EXPECT_EQ(mixed.exit_code, 3) << mixed.output;
  EXPECT_NE(mixed.output.find("the folder holds no photo or video"), std::string::npos) << mixed.output;
}

TEST(PredictCommand, TheSecondPassIsChosenByNameAndABadNameIsOneLine) {
  // Both second passes find the face at the first pass's angle, and the crop they give
  // differs (the age moves: the option reaches the predictor); an unknown name is refused.
  const std::string model = small_model_file("predict_second_pass_model");
  const std::string dir = temp_dir("predict_second_pass");
  const std::string photo = fairface_photo(3);
  nlohmann::json faces[2];
  const char* passes[2] = {"detect", "refine"};
  for (int k = 0; k < 2; ++k) {
    const std::string out = dir + "/" + passes[k] + ".jsonl";
    const CommandResult result = run_command(cli_path() + " predict -q --model " + model +
                                             " --second-pass " + passes[k] + " -o " + out + " " + photo);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    faces[k] = json_lines(out).at(0)["faces"];
    ASSERT_FALSE(faces[k].empty()) << passes[k];
  }
  EXPECT_NEAR(faces[0][0]["angle"].get<double>(), faces[1][0]["angle"].get<double>(), 0.01);
  EXPECT_GT(std::abs(faces[0][0]["age"].get<double>() - faces[1][0]["age"].get<double>()), 1e-3);
  const CommandResult bad =
      run_command(cli_path() + " predict --model " + model + " --second-pass search " + photo);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--second-pass"), std::string::npos) << bad.output;
}

TEST(PredictCommand, Int8WithoutACalibrationIsOneLineNamingTheModel) {
  // auto runs the uncalibrated model in float32; asking for int8 is refused, naming it.
  const std::string model = small_model_file("predict_int8_model");
  const std::string photo = fairface_photo(3);
  EXPECT_EQ(run_command(cli_path() + " predict -q --model " + model + " " + photo).exit_code, 0);
  const CommandResult refused =
      run_command(cli_path() + " predict -q --model " + model + " --precision int8 " + photo);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_EQ(std::count(refused.output.begin(), refused.output.end(), '\n'), 1) << refused.output;
  EXPECT_NE(refused.output.find(model + ": this model has no int8 calibration"), std::string::npos)
      << refused.output;
}

TEST(ExportCommand, HalfPrecisionWithCardAndMeasuredFrame) {
  const std::string model = small_model_file("export_model", false, false, /*aligned=*/false);
  const std::string dir = temp_dir("export_cli");
  std::ofstream(dir + "/card.json") << R"({"licence": "research only"})";
  const CommandResult result = run_command(
      cli_path() + " export --model " + model + " --out " + dir + "/shipped.safetensors --half" +
      " --card " + dir + "/card.json --frame-from " + data_dir() + "/utkface --frame-samples 12" +
      " --flip-average true");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const ModelSpec spec = read_model_spec(dir + "/shipped.safetensors");
  EXPECT_EQ(spec.card["licence"], "research only");
  EXPECT_TRUE(spec.flip_average);
  EXPECT_FALSE(read_model_spec(model).flip_average);
  ASSERT_TRUE(spec.preprocessing.frame);
  // UTKFace crops are a little wider than MTCNN's box and cut at the chin and brow.
  EXPECT_GT(spec.preprocessing.frame->scale_x, 1.0);
  EXPECT_LT(spec.preprocessing.frame->scale_x, 1.5);
  EXPECT_GT(spec.preprocessing.frame->scale_y, 0.7);
  EXPECT_LT(spec.preprocessing.frame->scale_y, 1.2);
  EXPECT_LT(std::filesystem::file_size(dir + "/shipped.safetensors"),
            std::filesystem::file_size(model) * 0.6);
  EXPECT_EQ(spec.card["face_frame_measured_on"]["images"], 12);

  // A model trained on aligned crops cuts its own box and margin: no frame for it.
  const CommandResult aligned = run_command(
      cli_path() + " export --model " + small_model_file("export_aligned_model") + " --out " +
      dir + "/aligned.safetensors --frame-from " + data_dir() + "/utkface --frame-samples 4");
  EXPECT_EQ(aligned.exit_code, 1) << aligned.output;
  EXPECT_NE(aligned.output.find("--frame-from is for models trained on crops used whole"),
            std::string::npos) << aligned.output;
}

}  // namespace
}  // namespace faceage::testing
