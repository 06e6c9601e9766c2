// The HTTP API end to end: an AgeServer on an ephemeral loopback port, called with
// httplib::Client as any client would.
#include <algorithm>
#include <array>
#include <cstdint>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "faceage/infer/prediction_output.h"
#include "faceage/io/image.h"
#include "serve_test_support.h"

namespace faceage::testing {
namespace {

using nlohmann::json;

json body_json(const httplib::Result& result) { return json::parse(result->body); }

// A valid PNG header (signature, IHDR with its CRC) declaring width x height, and an IDAT
// of a few bytes: a decompression bomb as far as any reader that trusts the header knows.
std::string png_declaring(uint32_t width, uint32_t height) {
  const auto crc32 = [](const std::string& bytes) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : bytes) {
      crc ^= byte;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
  };
  const auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  const auto chunk = [&](const std::string& type, const std::string& data) {
    return be32(static_cast<uint32_t>(data.size())) + type + data + be32(crc32(type + data));
  };
  const std::string ihdr = be32(width) + be32(height) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
         chunk("IDAT", std::string("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9)) + chunk("IEND", "");
}

void expect_error(const httplib::Result& result, int status, const std::string& mentions) {
  ASSERT_TRUE(result) << "no response: " << httplib::to_string(result.error());
  EXPECT_EQ(result->status, status) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  const json body = body_json(result);
  ASSERT_TRUE(body.contains("error")) << result->body;
  EXPECT_NE(body["error"].get<std::string>().find(mentions), std::string::npos) << result->body;
}

TEST(HttpApi, APhotoGetsTheSameFacesAsThePredictorGivesDirectly) {
  const std::string photo = fairface_photo(1);  // two people
  const std::vector<FacePrediction> direct = serve_predictor().predict(read_image(photo));
  ASSERT_EQ(direct.size(), 2u);
  RunningServer server;
  const httplib::Result result = server.client()->Post("/v1/age", file_bytes(photo), "image/jpeg");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  const json body = body_json(result);
  EXPECT_EQ(body["width"], 448);
  EXPECT_EQ(body["height"], 448);
  ASSERT_EQ(body["faces"].size(), direct.size());
  for (size_t i = 0; i < direct.size(); ++i) {
    // Every field `faceage predict` prints, with the same values.
    EXPECT_EQ(body["faces"][i], to_json(direct[i])) << "face " << i;
    EXPECT_NEAR(body["faces"][i]["age"].get<double>(), direct[i].age, 0.01);
  }
}

TEST(HttpApi, DistributionOneAddsEachFacesAgeDistribution) {
  const std::string photo = file_bytes(fairface_photo(1));  // two people
  RunningServer server;
  const auto client = server.client();
  const httplib::Result plain = client->Post("/v1/age", photo, "image/jpeg");
  const httplib::Result with = client->Post("/v1/age?distribution=1", photo, "image/jpeg");
  ASSERT_TRUE(plain && with);
  ASSERT_EQ(with->status, 200) << with->body;
  const json faces = body_json(with)["faces"];
  ASSERT_EQ(faces.size(), 2u);
  for (size_t i = 0; i < faces.size(); ++i) {
    EXPECT_FALSE(body_json(plain)["faces"][i].contains("age_distribution"));
    const json& distribution = faces[i]["age_distribution"];
    ASSERT_EQ(distribution.size(), 101u) << "face " << i;
    double mass = 0, mean = 0;
    for (size_t age = 0; age < distribution.size(); ++age) {
      mass += distribution[age].get<double>();
      mean += static_cast<double>(age) * distribution[age].get<double>();
    }
    EXPECT_NEAR(mass, 1.0, 1e-3) << "face " << i;
    EXPECT_NEAR(mean, faces[i]["age"].get<double>(), 0.01) << "face " << i;
  }
  const httplib::Result off = client->Post("/v1/age?distribution=0", photo, "image/jpeg");
  ASSERT_TRUE(off);
  EXPECT_EQ(body_json(off), body_json(plain));
  expect_error(client->Post("/v1/age?distribution=yes", photo, "image/jpeg"), 400,
               "distribution=yes");
}

TEST(HttpApi, AMultipartFormWithAnImageFieldWorksAsARawBody) {
  const std::string photo = file_bytes(fairface_photo(3));
  RunningServer server;
  const auto client = server.client();
  const httplib::Result raw = client->Post("/v1/age", photo, "application/octet-stream");
  const httplib::Result form = client->Post(
      "/v1/age", httplib::MultipartFormDataItems{{"note", "hello", "", "text/plain"},
                                                 {"image", photo, "photo.jpg", "image/jpeg"}});
  ASSERT_TRUE(raw && form);
  ASSERT_EQ(raw->status, 200) << raw->body;
  ASSERT_EQ(form->status, 200) << form->body;
  EXPECT_FALSE(body_json(form)["faces"].empty());
  EXPECT_EQ(body_json(form), body_json(raw));

  expect_error(client->Post("/v1/age", httplib::MultipartFormDataItems{
                                           {"photo", photo, "photo.jpg", "image/jpeg"}}),
               400, "no field named 'image'");
}

TEST(HttpApi, HealthzAndModelDescribeTheServer) {
  RunningServer server;
  const auto client = server.client();
  const httplib::Result health = client->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(body_json(health)["status"], "ok");
  EXPECT_EQ(body_json(health)["queued"], 0);

  const httplib::Result model = client->Get("/v1/model");
  ASSERT_TRUE(model);
  ASSERT_EQ(model->status, 200);
  const json description = body_json(model);
  EXPECT_EQ(description["file"], "model.safetensors");  // the name, not the server's path
  EXPECT_EQ(description["model"], to_json(serve_predictor().model()));
  EXPECT_EQ(description["model"]["architecture"], "resnet18");
  EXPECT_EQ(description["model"]["preprocessing"]["input_size"], 64);
}

TEST(HttpApi, TheBundledModelsCardIsServed) {
  const ModelSpec spec = read_model_spec(source_dir() + "/models/default-age-model.safetensors");
  ASSERT_FALSE(spec.card.empty());
  RunningServer server(predict_with(serve_predictor()), {},
                       {{"file", "default-age-model.safetensors"}, {"model", to_json(spec)}});
  const httplib::Result model = server.client()->Get("/v1/model");
  ASSERT_TRUE(model);
  EXPECT_EQ(body_json(model)["model"]["card"], spec.card);
}

TEST(HttpApi, AnEmptyBodyIs400) {
  RunningServer server;
  expect_error(server.client()->Post("/v1/age", "", "image/jpeg"), 400, "empty");
}

TEST(HttpApi, BytesThatAreNotAnImageAre422) {
  RunningServer server;
  expect_error(server.client()->Post("/v1/age", "this is not a photo", "image/jpeg"), 422,
               "not a decodable image");
  // A JPEG cut off halfway decodes without error in libjpeg; it must not here.
  const std::string photo = file_bytes(fairface_photo(1));
  expect_error(server.client()->Post("/v1/age", photo.substr(0, photo.size() / 2), "image/jpeg"),
               422, "truncated JPEG");
}

TEST(HttpApi, ABodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrNot) {
  ServeOptions options;
  options.max_body_bytes = 64 * 1024;
  RunningServer server(options);
  const std::string big(200 * 1024, 'x');
  expect_error(server.client()->Post("/v1/age", big, "image/jpeg"), 413, "--max-body-bytes");
  // Chunked: no Content-Length for httplib to check, the server counts what arrives.
  const httplib::Result chunked = server.client()->Post(
      "/v1/age",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset >= big.size()) {
          sink.done();
          return true;
        }
        return sink.write(big.data() + offset, std::min<size_t>(16 * 1024, big.size() - offset));
      },
      "image/jpeg");
  expect_error(chunked, 413, "--max-body-bytes");
  // A photo under the limit still goes through.
  const httplib::Result small = server.client()->Post("/v1/age", file_bytes(fairface_photo(3)), "image/jpeg");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
}

TEST(HttpApi, ADecompressionBombIsRefusedFromItsHeader) {
  RunningServer server;  // 25 MP by default; the bomb declares 900 MP
  expect_error(server.client()->Post("/v1/age", png_declaring(30000, 30000), "image/png"), 413,
               "30000x30000");
  // The same with a lower limit against a real photo (448 x 448 = 200704 pixels).
  ServeOptions options;
  options.max_pixels = 200000;
  RunningServer strict(options);
  expect_error(strict.client()->Post("/v1/age", file_bytes(fairface_photo(1)), "image/jpeg"), 413,
               "--max-pixels");
  // A format whose header is not read (TIFF) is checked once decoded.
  std::vector<unsigned char> tiff;
  ASSERT_TRUE(cv::imencode(".tiff", cv::Mat(500, 500, CV_8UC3, cv::Scalar(90, 120, 150)), tiff));
  expect_error(strict.client()->Post("/v1/age", std::string(tiff.begin(), tiff.end()), "image/tiff"),
               413, "500x500");
}

TEST(HttpApi, AContentTypeThatIsNotAnImageIs415) {
  RunningServer server;
  const std::string photo = file_bytes(fairface_photo(1));
  for (const char* type : {"text/plain", "application/json", "application/x-www-form-urlencoded"})
    expect_error(server.client()->Post("/v1/age", photo, type), 415, type);
  // Parameters and case do not matter for accepted types.
  const httplib::Result ok = server.client()->Post("/v1/age", photo, "Image/JPEG; q=1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST(HttpApi, UnknownRoutesAre404AndWrongMethods405) {
  RunningServer server;
  const auto client = server.client();
  expect_error(client->Get("/v2/age"), 404, "/v2/age");
  expect_error(client->Post("/predict", "x", "image/jpeg"), 404, "POST /v1/age");
  const httplib::Result get_age = client->Get("/v1/age");
  expect_error(get_age, 405, "takes POST");
  EXPECT_EQ(get_age->get_header_value("Allow"), "POST");
  expect_error(client->Delete("/healthz"), 405, "takes GET");
}

TEST(HttpApi, APredictorFaultIs500AndTheServerCarriesOn) {
  bool fail_next = true;
  RunningServer server(
      [&](const std::vector<cv::Mat>& images) {
        if (std::exchange(fail_next, false)) throw std::runtime_error("out of memory (simulated)");
        return serve_predictor().predict(images);
      },
      {});
  const std::string photo = file_bytes(fairface_photo(3));
  expect_error(server.client()->Post("/v1/age", photo, "image/jpeg"), 500, "out of memory (simulated)");
  const httplib::Result next = server.client()->Post("/v1/age", photo, "image/jpeg");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200) << next->body;
}

}  // namespace
}  // namespace faceage::testing
