namespace TaskService.Testing.Durability;

/// <summary>The ports of one silo: silo-to-silo, Orleans gateway (clients) and HTTP. A silo restarted on the same ports is the same silo.</summary>
public sealed record SiloPorts(int Silo, int Gateway, int Http);
