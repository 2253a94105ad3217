/* A plain button for the player's panels (notes, questions): type "button", a class,
 * its text, and an accessible name when the text alone would not say enough. */
export function button(className, text, ariaLabel) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  if (ariaLabel) b.setAttribute("aria-label", ariaLabel);
  return b;
}
