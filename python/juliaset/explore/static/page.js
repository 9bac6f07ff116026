// Small pieces both pages use (the explorer and the store page).

export const $ = (id) => document.getElementById(id);

let messageTimer = null;
/** Shows `text` in the page's #message box for four seconds. */
export function showMessage(text) {
  const box = $('message');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

/** Appends one <option> per colormap name to `select`. */
export function addColormapOptions(select, names) {
  for (const name of names) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    select.append(option);
  }
}
