import torch
import torch.nn.functional as F

from jazz_lstm.models.recipe.model import JazzLSTM, ModelConfig, lstm_layer


def test_shapes_and_state():
    m = JazzLSTM(ModelConfig(20, hidden=8, layers=2, embedding=5))
    ids = torch.randint(0, 20, (3, 7))
    logits, loss = m(ids)
    assert logits.shape == (3, 7, 20) and loss is None
    hs, state = m.hidden(ids.t())
    assert hs.shape == (7, 3, 8) and len(state) == 2 and state[0][0].shape == (3, 8)
    tm, _ = m(ids.t().contiguous(), time_major=True)
    assert torch.allclose(tm.transpose(0, 1), logits, atol=1e-6)
    targets = torch.randint(0, 20, (3, 7))
    _, loss = m(ids, targets)  # the recipe's loss: summed over the steps, averaged over the batch
    want = F.cross_entropy(logits.reshape(-1, 20), targets.reshape(-1), reduction="sum") / 3
    assert torch.allclose(loss, want, atol=1e-5) and torch.allclose(m.loss(ids.t(), targets.t()), want, atol=1e-5)


def test_torch_kernel_matches_the_cell_unrolled():
    """lstm_layer (torch's LSTM over our i, f, o, g gate layout) against the cell written out,
    values and gradients, and gradcheck in double precision."""
    torch.manual_seed(0)
    T, B, H = 6, 3, 5
    xg = torch.randn(T, B, 4 * H, dtype=torch.double, requires_grad=True)
    h0 = torch.randn(B, H, dtype=torch.double, requires_grad=True)
    c0 = torch.randn(B, H, dtype=torch.double, requires_grad=True)
    w = torch.randn(4 * H, H, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(lstm_layer, (xg, h0, c0, w))

    def reference(xg, h, c, w):  # the cell unrolled under autograd, gate order i, f, o, g
        hs = []
        for t in range(T):
            g = xg[t] + h @ w.t()
            i, f, o, gg = torch.sigmoid(g[:, :H]), torch.sigmoid(g[:, H:2 * H]), torch.sigmoid(g[:, 2 * H:3 * H]), torch.tanh(g[:, 3 * H:])
            c = f * c + i * gg
            h = o * torch.tanh(c)
            hs.append(h)
        return torch.stack(hs), h, c

    ours, ref = lstm_layer(xg, h0, c0, w), reference(xg, h0, c0, w)
    for a, b in zip(ours, ref):
        assert torch.allclose(a, b)
    g1 = torch.autograd.grad(sum(o.pow(2).sum() for o in ours), (xg, h0, c0, w))
    g2 = torch.autograd.grad(sum(o.pow(2).sum() for o in ref), (xg, h0, c0, w))
    for a, b in zip(g1, g2):
        assert torch.allclose(a, b)


def test_in_place_change_of_the_output_is_caught():
    """Autograd's own bookkeeping: changing a saved output in place is an error, not a silent shift."""
    import pytest

    m = JazzLSTM(ModelConfig(10, hidden=4))
    logits, _ = m(torch.randint(0, 10, (2, 5)))
    hs, _ = m.hidden(torch.randint(0, 10, (5, 2)))
    out = hs.tanh()
    hs.mul_(2)
    with pytest.raises(RuntimeError):
        out.sum().backward()


def test_step_by_step_equals_whole_window():
    torch.manual_seed(1)
    m = JazzLSTM(ModelConfig(30)).eval()
    ids = torch.randint(0, 30, (4, 10))
    ids[:, 0] = -1  # the zero input
    with torch.no_grad():
        full, _ = m(ids)
    state, outs, step = m.init_state(4), [], m.stepper()
    for t in range(10):
        logits, state = step(torch.where(ids[:, t] < 0, m.start_id, ids[:, t]), state)
        outs.append(logits)
    assert torch.allclose(torch.stack(outs, 1), full, atol=1e-5)


def test_one_batch_overfit():
    torch.manual_seed(0)
    m = JazzLSTM(ModelConfig(12, hidden=32))
    x = torch.randint(0, 12, (8, 16))
    y = torch.roll(x, -1, 1)
    opt = torch.optim.Adam(m.parameters(), lr=0.03)
    for _ in range(150):
        loss = F.cross_entropy(m(x)[0].reshape(-1, 12), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05


def test_loss_equals_cross_entropy():
    torch.manual_seed(0)
    m = JazzLSTM(ModelConfig(50, hidden=16, layers=2))
    ids, y = torch.randint(0, 50, (7, 5)), torch.randint(0, 50, (7, 5))
    y[-1] = -100  # the recipe's empty last step
    ours = m.loss(ids, y)
    logits, _ = m(ids, time_major=True)
    ref = F.cross_entropy(logits.reshape(-1, 50), y.reshape(-1), ignore_index=-100, reduction="sum") / 5
    assert torch.allclose(ours, ref)
    for a, b in zip(torch.autograd.grad(ours, list(m.parameters())), torch.autograd.grad(ref, list(m.parameters()))):
        assert torch.allclose(a, b, atol=1e-6)
