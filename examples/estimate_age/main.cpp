// estimate_age MODEL FACE_IMAGE...: the age of each (already cropped) face, using the
// preprocessing the model file carries.
#include <iostream>

#include <faceage/core/error.h>
#include <faceage/model/preprocessing.h>
#include <faceage/io/image.h>
#include <faceage/model/label_distribution.h>
#include <faceage/model/model_file.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: estimate_age MODEL FACE_IMAGE...\n";
    return 2;
  }
  try {
    const faceage::LoadedModel model = faceage::load_model(argv[1]);
    torch::NoGradGuard no_grad;
    for (int i = 2; i < argc; ++i) {
      const cv::Mat face = faceage::read_image(argv[i]);
      const torch::Tensor input =
          faceage::to_input_tensor(face, model.spec.preprocessing).unsqueeze(0);
      const torch::Tensor probabilities =
          torch::softmax(model.network->forward(input).age_logits, 1);
      std::cout << argv[i] << "\t" << faceage::expected_age(probabilities).item<double>() << "\n";
    }
  } catch (const faceage::Error& e) {
    std::cerr << "estimate_age: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
