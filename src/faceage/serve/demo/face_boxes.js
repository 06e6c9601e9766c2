// The face boxes over the photo or the video: one real button per face (so a click,
// Tab + Enter or Space selects it), placed in percent of the analysed image so the boxes
// follow the picture at any size. Buttons are reused between webcam frames so that the
// keyboard focus stays where it was.

const GENDER_LETTER = { female: 'F', male: 'M' };

function whole(value) {
  return Math.round(value).toString();
}

// "32 [22–43] F": the age, its 90% interval and, when the model has it, the gender.
export function faceLabel(face) {
  const [low, high] = face.age_interval;
  let label = `${whole(face.age)} [${whole(low)}–${whole(high)}]`;
  if (face.gender && GENDER_LETTER[face.gender.label]) label += ` ${GENDER_LETTER[face.gender.label]}`;
  return label;
}

// The same in a sentence, for the list and for screen readers.
export function faceSentence(face, index) {
  const [low, high] = face.age_interval;
  let text = `Face ${index + 1}: about ${whole(face.age)} years (90% between ${whole(low)} and ${whole(high)})`;
  if (face.gender) text += `, ${face.gender.label} (${Math.round(face.gender.probability * 100)}%)`;
  return text;
}

function percent(value, total) {
  return `${(100 * value / total).toFixed(3)}%`;
}

// Draws `faces` (the API's, for an image of width x height) into `overlay`; `selected` is
// the index of the selected face or -1; `onSelect(index)` is called when one is chosen.
export function drawFaceBoxes(overlay, faces, width, height, selected, onSelect) {
  while (overlay.children.length > faces.length) overlay.lastElementChild.remove();
  faces.forEach((face, index) => {
    let box = overlay.children[index];
    if (!box) {
      box = document.createElement('button');
      box.type = 'button';
      box.className = 'face-box';
      const label = document.createElement('span');
      label.className = 'face-label';
      box.append(label);
      box.addEventListener('click', () => onSelect(Number(box.dataset.index)));
      overlay.append(box);
    }
    const [x1, y1, x2, y2] = face.box;
    box.dataset.index = String(index);
    box.style.left = percent(x1, width);
    box.style.top = percent(y1, height);
    box.style.width = percent(x2 - x1, width);
    box.style.height = percent(y2 - y1, height);
    // Labels go above the box, below it for a face at the top edge, and end at the box's
    // right edge for a face near the right edge, so they stay inside the picture.
    box.classList.toggle('label-below', y1 < 0.1 * height);
    box.classList.toggle('label-end', x1 > 0.6 * width);
    box.setAttribute('aria-pressed', String(index === selected));
    box.setAttribute('aria-label', `${faceSentence(face, index)}. Show its age distribution.`);
    box.firstElementChild.textContent = faceLabel(face);
  });
}
