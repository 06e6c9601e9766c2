// faceage.Predictor: AgePredictor (infer/predictor.h) on NumPy RGB photos and image files;
// each face as the same dict `faceage predict` prints per face (infer/prediction_output.h).
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "faceage/infer/prediction_output.h"
#include "faceage/infer/predictor.h"
#include "faceage/io/image.h"
#include "json_to_python.h"
#include "numpy_image.h"

namespace py = pybind11;

namespace faceage::python {
namespace {

// One predictor; calls from several Python threads take turns (the GIL is released while
// they run, and the pipeline's scratch state is per predictor).
struct PythonPredictor {
  explicit PythonPredictor(const PredictorOptions& options) : predictor(options) {}

  py::list predict(const cv::Mat& bgr, bool distribution) {
    std::vector<FacePrediction> faces;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(busy);
      faces = predictor.predict(bgr);
    }
    FaceJsonOptions fields;
    fields.age_distribution = distribution;
    py::list result;
    for (const FacePrediction& face : faces) result.append(to_python(to_json(face, nullptr, fields)));
    return result;
  }

  AgePredictor predictor;
  std::mutex busy;
};

std::string optional_path(const std::optional<std::filesystem::path>& path) {
  return path ? path->string() : std::string();
}

std::unique_ptr<PythonPredictor> make_predictor(
    const std::optional<std::filesystem::path>& model,
    const std::optional<std::filesystem::path>& detector_weights, const std::string& device,
    int threads, int batch_size, double min_face, double interval, const std::string& second_pass,
    const std::string& inference, const std::string& precision) {
  // The same bounds as `faceage predict`'s options (apps/faceage/predictor_cli.h).
  if (device != "cpu" && device != "cuda" && device != "auto")
    throw py::value_error("device: expected 'cpu', 'cuda' or 'auto', got '" + device + "'");
  if (threads < 0) throw py::value_error("threads: expected 0 (every usable CPU) or more");
  if (batch_size < 1) throw py::value_error("batch_size: expected 1 or more");
  if (min_face < 12) throw py::value_error("min_face: expected 12 pixels or more");
  if (!(interval >= 0.01 && interval <= 0.99))
    throw py::value_error("interval: expected a probability mass between 0.01 and 0.99");
  PredictorOptions options;
  options.model_path = optional_path(model);
  options.detector_weights = optional_path(detector_weights);
  options.device = device;
  options.threads = threads;
  options.batch_size = batch_size;
  options.detection.min_face_size = min_face;
  options.interval_mass = interval;
  options.alignment.second_pass = second_pass_from_name(second_pass);
  options.inference = inference;
  options.precision = precision;
  py::gil_scoped_release release;  // reading the model and MTCNN weights
  return std::make_unique<PythonPredictor>(options);
}

}  // namespace

void bind_predictor(py::module_& module) {
  py::class_<PythonPredictor>(module, "Predictor", R"(Ages of the faces in photos.

Predictor(model=None, *, detector_weights=None, device="auto", threads=0, batch_size=32,
          min_face=20.0, interval=0.9, second_pass="refine", inference="auto",
          precision="auto")

model: a model file (.safetensors); None is the bundled default model. detector_weights:
the MTCNN weights; None finds the installed ones. threads: LibTorch threads for the whole
process (0: every CPU this process may use). The other options are `faceage predict`'s.)")
      .def(py::init(&make_predictor), py::arg("model") = py::none(), py::kw_only(),
           py::arg("detector_weights") = py::none(), py::arg("device") = "auto",
           py::arg("threads") = 0, py::arg("batch_size") = 32, py::arg("min_face") = 20.0,
           py::arg("interval") = 0.9, py::arg("second_pass") = "refine",
           py::arg("inference") = "auto", py::arg("precision") = "auto")
      .def(
          "predict",
          [](PythonPredictor& self, const py::handle& image, bool distribution) {
            return self.predict(bgr_image_from_rgb_array(image), distribution);
          },
          py::arg("image"), py::kw_only(), py::arg("distribution") = false,
          R"(Every face in `image`, a NumPy HxWx3 uint8 array in RGB order (numpy.asarray of a
PIL image; an OpenCV image is BGR: reverse it with image[..., ::-1]). Returns a list of
dicts, highest detector score first, with the fields of `faceage predict`'s JSON per face:
box, score, landmarks, angle, age, age_std, age_interval, gender, ethnicity; with
distribution=True also age_distribution, the probability of each age 0..100 (as
`faceage predict --distribution`).)")
      .def(
          "predict_file",
          [](PythonPredictor& self, const std::filesystem::path& path, bool distribution) {
            cv::Mat bgr;
            {
              py::gil_scoped_release release;
              bgr = read_image(path.string());
            }
            return self.predict(bgr, distribution);
          },
          py::arg("path"), py::kw_only(), py::arg("distribution") = false,
          "Every face in an image file (as predict).")
      .def_property_readonly(
          "model_path", [](const PythonPredictor& self) { return self.predictor.model_path(); },
          "The model file in use.")
      .def("__repr__", [](const PythonPredictor& self) {
        return "faceage.Predictor(model='" + self.predictor.model_path() + "')";
      });
}

}  // namespace faceage::python
