namespace TaskService.Security;

/// <summary>Encrypts secrets before they are stored, and decrypts them for the code that needs them (signing webhooks).</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
