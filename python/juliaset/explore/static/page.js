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

/** The Error a failed fetch `response` carries: the server's JSON message (naming the
 * parameter it blames), else the HTTP status. */
export async function errorOf(response) {
  try {
    const body = await response.json();
    return new Error(body.parameter ? `${body.parameter}: ${body.error}` : body.error);
  } catch {
    return new Error(`${response.status} ${response.statusText}`);
  }
}
