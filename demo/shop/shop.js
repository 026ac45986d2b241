// The shop's own code: plain browser JavaScript. The snippet instruments fetch and XHR by
// itself; the checkout is wrapped in a span of its own (window.otelite, when the async snippet
// has arrived) so that the whole click is one trace.
const WORKER = document.querySelector('script[data-propagate-to]').dataset.propagateTo;
const status = (t) => (document.getElementById('status').textContent = t);

fetch(WORKER + '/api/products')
  .then((r) => r.json())
  .then((items) => {
    document.getElementById('products').replaceChildren(
      ...items.map((p) => Object.assign(document.createElement('li'), { textContent: `${p.name}: ${p.price} €` })),
    );
  })
  .catch(() => status('The Worker is not reachable.'));

document.getElementById('add').onclick = () => {
  const x = new XMLHttpRequest();
  x.open('POST', WORKER + '/api/cart');
  x.setRequestHeader('content-type', 'application/json');
  x.onload = () => status('Added to cart.');
  x.onerror = () => status('The Worker is not reachable.');
  x.send(JSON.stringify({ id: 1 }));
};

document.getElementById('oops').onclick = () => {
  throw new Error('Something broke in the shop');
};

document.getElementById('checkout').onclick = () => {
  const tracer = window.otelite && window.otelite.getTracer('shop');
  const run = (span) =>
    fetch(WORKER + '/api/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [1, 2] }) })
      .then((r) => r.json())
      .then((order) => {
        if (span) {
          span.setAttribute('shop.order_id', order.id);
          span.end();
        }
        status('Order ' + order.id + ' placed.');
        setTimeout(() => (location.href = '/thanks.html'), 500);
      })
      .catch((e) => {
        if (span) {
          span.recordException(e);
          span.setStatus({ code: 2, message: String(e) });
          span.end();
        }
        status('Checkout failed.');
      });
  return tracer ? tracer.startActiveSpan('checkout', run) : run();
};
