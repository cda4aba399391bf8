// Progressive enhancement of the release form: the file's SHA-256 computed in the browser (WebCrypto) before it is
// sent, and the upload's progress. Without this script the form posts as it is and the console does the same work.

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

const enhance = (form) => {
  const input = form.querySelector('input[type="file"]');
  const checksum = form.querySelector('[data-pbx-checksum]');
  const progressBox = form.querySelector('[data-pbx-progress]');
  const progress = progressBox?.querySelector('progress');
  if (input === null || checksum === null || progress === null || progress === undefined) return;
  let digest;

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    checksum.hidden = true;
    digest = undefined;
    if (file === undefined || crypto.subtle === undefined) return;
    digest = file
      .arrayBuffer()
      .then((bytes) => crypto.subtle.digest('SHA-256', bytes))
      .then(hex);
    digest.then(
      (sha256) => {
        checksum.textContent = `SHA-256 checksum of ${file.name}: ${sha256}`;
        checksum.hidden = false;
      },
      () => undefined,
    );
  });

  form.addEventListener('submit', (event) => {
    if (input.files?.[0] === undefined) return; // the console answers with the error
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      progress.value = percent;
      progress.textContent = `${percent}%`;
    });
    request.addEventListener('load', () => {
      // Released: the console redirected to the confirmation, which the browser now shows. Anything else (an error
      // in the form, a refusal) is shown by posting the form the ordinary way.
      if (request.status === 200 && request.responseURL.endsWith('/released'))
        window.location.assign(request.responseURL);
      else form.submit();
    });
    request.addEventListener('error', () => form.submit());
    progressBox.hidden = false;
    request.send(new FormData(form));
  });
};

export const initRequests = () => {
  for (const form of document.querySelectorAll('form[data-pbx-upload]')) enhance(form);
};
